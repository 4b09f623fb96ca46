import { randomUUID } from "node:crypto";
import type { Namespace } from "socket.io";
import { PROTOCOL_VERSION, ZGpuLive, ZGpuLiveBatch, ZLiveWatch, type CommandLive, type GpuLive, type GpuLiveBatch, type LiveWatch } from "@rigshift/protocol";
import { roomsOf, type LiveGpuUpdate } from "./live-rooms";
import type { Log } from "./log";
import { createPeerWatches } from "./peer-watches";

/**
 * Browsers get at most one `gpus` update per room per `throttleMs`, however fast telemetry
 * comes: updates are merged per GPU (newest wins) and flushed on a timer. Rooms are `fleet`,
 * `site:<id>`, `rig:<id>` and `gpu:<id>`.
 *
 * Each flush sends this gateway's updates to the other gateways as one message per site (the
 * Redis adapter's server-side emit), and every gateway hands what it heard to the rooms its own
 * browsers are in. Emitting to each room through the adapter instead would publish to Redis
 * once per rig and GPU per second, browsers or not: with 10,000 rigs that is 90,000 publishes a
 * second, most of a core.
 *
 * A gateway sends its peers only the updates their browsers watch, and nothing when none does:
 * otherwise every gateway would encode, and every gateway decode, all of the fleet's updates
 * each second (megabytes of JSON with 10,000 rigs) for dashboards that are mostly closed. Each
 * gateway with browsers announces their rooms on every flush, and at once when a browser joins
 * a room it had not announced; a gateway that starts learns them within one flush.
 */
export type LiveFanout = ReturnType<typeof createLiveFanout>;

/** The server-side events between gateways (never sent to browsers). */
const PEER_EVENT = "gpus:peer";
const WATCH_EVENT = "rooms:watch";
/** Site ids are uuids like every id in the live messages. */
const ZSiteId = ZGpuLive.shape.rigId;
/** Peers announce every flush; one missed by a loaded Redis or event loop is not yet a gone gateway. */
const WATCH_TTL_FLUSHES = 5;

export const createLiveFanout = ({ nsp, throttleMs, log }: { nsp: Namespace; throttleMs: number; log: Log }) => {
  const gatewayId = randomUUID();
  const peers = createPeerWatches({ ttlMs: WATCH_TTL_FLUSHES * throttleMs });
  /** This gateway's rigs' updates by site. */
  let outgoing = new Map<string, Map<string, GpuLive>>();
  /** Updates from every gateway (this one included), for this gateway's browsers. */
  let incoming = new Map<string, LiveGpuUpdate>();

  /** The rooms this gateway's browsers are in: every room of the namespace but each socket's own. */
  const localRooms = () => [...nsp.adapter.rooms.keys()].filter((room) => !nsp.adapter.sids.has(room));
  let announced = new Set<string>();
  const announce = (rooms = localRooms()) => {
    if (rooms.length === 0 && announced.size === 0) return;
    const watch: LiveWatch = { v: PROTOCOL_VERSION, gatewayId, rooms };
    nsp.serverSideEmit(WATCH_EVENT, watch);
    announced = new Set(rooms);
  };
  let announceSoon: NodeJS.Immediate | null = null;
  nsp.adapter.on("create-room", (room: string) => {
    if (announceSoon || nsp.adapter.sids.has(room) || announced.has(room)) return;
    // A subscribe joins several rooms in one turn: announce them once.
    announceSoon = setImmediate(() => {
      announceSoon = null;
      announce();
    });
  });

  nsp.on(WATCH_EVENT, (watch: unknown) => {
    const parsed = ZLiveWatch.safeParse(watch);
    if (!parsed.success) return log.warn({ event: WATCH_EVENT }, "ignored a malformed room announcement from another gateway");
    peers.announce(parsed.data.gatewayId, parsed.data.rooms);
  });

  nsp.on(PEER_EVENT, (siteId: unknown, batch: unknown) => {
    const site = ZSiteId.safeParse(siteId);
    const parsed = ZGpuLiveBatch.safeParse(batch);
    if (!site.success || !parsed.success) return log.warn({ event: PEER_EVENT }, "ignored malformed live updates from another gateway");
    for (const gpu of parsed.data.gpus) incoming.set(gpu.gpuId, { siteId: site.data, gpu });
  });

  const flush = () => {
    announce();
    const watchedHere = announced.size > 0;
    const watchedByPeers = peers.watching();
    for (const [siteId, gpus] of outgoing) {
      const forPeers: GpuLive[] = [];
      for (const gpu of gpus.values()) {
        if (watchedHere) incoming.set(gpu.gpuId, { siteId, gpu });
        if (watchedByPeers?.({ siteId, gpu })) forPeers.push(gpu);
      }
      if (forPeers.length > 0) nsp.serverSideEmit(PEER_EVENT, siteId, { v: PROTOCOL_VERSION, gpus: forPeers } satisfies GpuLiveBatch);
    }
    outgoing = new Map();
    if (incoming.size === 0) return;
    const updates = incoming;
    incoming = new Map();
    const rooms = nsp.adapter.rooms;
    const byRoom = new Map<string, GpuLive[]>();
    for (const u of updates.values()) {
      for (const room of roomsOf(u)) {
        if (!rooms.has(room)) continue;
        const gpus = byRoom.get(room);
        if (gpus) gpus.push(u.gpu);
        else byRoom.set(room, [u.gpu]);
      }
    }
    for (const [room, gpus] of byRoom) nsp.local.to(room).emit("gpus", { v: PROTOCOL_VERSION, gpus });
  };
  const timer = setInterval(flush, throttleMs);
  timer.unref();

  return {
    push: (updates: LiveGpuUpdate[]) => {
      for (const u of updates) {
        let gpus = outgoing.get(u.siteId);
        if (!gpus) outgoing.set(u.siteId, (gpus = new Map()));
        gpus.set(u.gpu.gpuId, u.gpu);
      }
    },
    /** Command steps are rare and the operator is waiting on them: sent at once, to the fleet room. */
    command: (event: Omit<CommandLive, "v">) => nsp.to("fleet").emit("command", { v: PROTOCOL_VERSION, ...event }),
    close: () => {
      clearInterval(timer);
      if (announceSoon) clearImmediate(announceSoon);
      // Peers stop sending now rather than when the announcement lapses.
      announce([]);
    },
  };
};
