import { roomsOf, type LiveGpuUpdate } from "./live-rooms";

export type PeerWatches = ReturnType<typeof createPeerWatches>;

/**
 * The /live rooms other gateways' browsers are in, as each gateway last announced them. An
 * announcement lapses after `ttlMs`, so a gateway that died without a word stops costing its
 * peers a publish a second.
 */
export const createPeerWatches = ({ ttlMs, now = Date.now }: { ttlMs: number; now?: () => number }) => {
  const peers = new Map<string, { rooms: ReadonlySet<string>; at: number }>();

  return {
    announce: (gatewayId: string, rooms: readonly string[]) => {
      if (rooms.length === 0) peers.delete(gatewayId);
      else peers.set(gatewayId, { rooms: new Set(rooms), at: now() });
    },
    /** Which updates some peer watches, or null when no peer watches anything (the common case: no browsers). */
    watching: (): ((update: LiveGpuUpdate) => boolean) | null => {
      const rooms = new Set<string>();
      for (const [gatewayId, peer] of peers) {
        if (now() - peer.at > ttlMs) peers.delete(gatewayId);
        else for (const room of peer.rooms) rooms.add(room);
      }
      if (rooms.size === 0) return null;
      // The fleet room takes every update: no need to build each one's rooms (a flush can hold 80,000).
      if (rooms.has("fleet")) return () => true;
      return (update) => roomsOf(update).some((room) => rooms.has(room));
    },
  };
};
