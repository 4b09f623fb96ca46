import type { Namespace } from "socket.io";
import { PROTOCOL_VERSION, ZGpuLive, ZGpuLiveBatch, type CommandLive, type GpuLive, type GpuLiveBatch } from "@rigshift/protocol";
import type { Log } from "./log";

/**
 * Browsers get at most one `gpus` update per room per `throttleMs`, however fast telemetry
 * comes: updates are merged per GPU (newest wins) and flushed on a timer. Rooms are `fleet`,
 * `site:<id>`, `rig:<id>` and `gpu:<id>`.
 *
 * Each flush sends this gateway's updates to the other gateways as ONE message (the Redis
 * adapter's server-side emit), and every gateway hands what it heard to the rooms its own
 * browsers are in. Emitting to each room through the adapter instead would publish to Redis
 * once per rig and GPU per second, browsers or not: with 10,000 rigs that is 90,000 publishes a
 * second, most of a core.
 */
export type LiveFanout = ReturnType<typeof createLiveFanout>;

export type LiveGpuUpdate = { siteId: string; gpu: GpuLive };

/** The server-side event between gateways (never sent to browsers): one site's updates. */
const PEER_EVENT = "gpus:peer";
/** Site ids are uuids like every id in the live messages. */
const ZSiteId = ZGpuLive.shape.rigId;

export const roomsOf = ({ siteId, gpu }: LiveGpuUpdate) => ["fleet", `site:${siteId}`, `rig:${gpu.rigId}`, `gpu:${gpu.gpuId}`];

export const createLiveFanout = ({ nsp, throttleMs, log }: { nsp: Namespace; throttleMs: number; log: Log }) => {
  /** This gateway's rigs' updates by site, for every gateway. */
  let outgoing = new Map<string, Map<string, GpuLive>>();
  /** Updates from every gateway (this one included), for this gateway's browsers. */
  let incoming = new Map<string, LiveGpuUpdate>();

  nsp.on(PEER_EVENT, (siteId: unknown, batch: unknown) => {
    const site = ZSiteId.safeParse(siteId);
    const parsed = ZGpuLiveBatch.safeParse(batch);
    if (!site.success || !parsed.success) return log.warn({ event: PEER_EVENT }, "ignored malformed live updates from another gateway");
    for (const gpu of parsed.data.gpus) incoming.set(gpu.gpuId, { siteId: site.data, gpu });
  });

  const flush = () => {
    for (const [siteId, gpus] of outgoing) {
      const batch: GpuLiveBatch = { v: PROTOCOL_VERSION, gpus: [...gpus.values()] };
      nsp.serverSideEmit(PEER_EVENT, siteId, batch);
      for (const gpu of batch.gpus) incoming.set(gpu.gpuId, { siteId, gpu });
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
    close: () => clearInterval(timer),
  };
};
