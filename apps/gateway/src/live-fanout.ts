import type { Namespace } from "socket.io";
import { PROTOCOL_VERSION, type CommandLive, type GpuLive } from "@rigshift/protocol";

/**
 * Browsers get at most one `gpus` update per room per `throttleMs`, however fast telemetry
 * comes: updates are merged per GPU (newest wins) and flushed on a timer. Rooms are `fleet`,
 * `site:<id>`, `rig:<id>` and `gpu:<id>`; through the Redis adapter an emit reaches the room's
 * browsers on every gateway.
 */
export type LiveFanout = ReturnType<typeof createLiveFanout>;

export type LiveGpuUpdate = { siteId: string; gpu: GpuLive };

export const roomsOf = ({ siteId, gpu }: LiveGpuUpdate) => ["fleet", `site:${siteId}`, `rig:${gpu.rigId}`, `gpu:${gpu.gpuId}`];

export const createLiveFanout = ({ nsp, throttleMs }: { nsp: Namespace; throttleMs: number }) => {
  const pending = new Map<string, Map<string, GpuLive>>();

  const flush = () => {
    for (const [room, gpus] of pending) nsp.to(room).emit("gpus", { v: PROTOCOL_VERSION, gpus: [...gpus.values()] });
    pending.clear();
  };
  const timer = setInterval(flush, throttleMs);
  timer.unref();

  return {
    push: (updates: LiveGpuUpdate[]) => {
      for (const u of updates) {
        for (const room of roomsOf(u)) {
          let gpus = pending.get(room);
          if (!gpus) pending.set(room, (gpus = new Map()));
          gpus.set(u.gpu.gpuId, u.gpu);
        }
      }
    },
    /** Command steps are rare and the operator is waiting on them: sent at once, to the fleet room. */
    command: (event: Omit<CommandLive, "v">) => nsp.to("fleet").emit("command", { v: PROTOCOL_VERSION, ...event }),
    close: () => clearInterval(timer),
  };
};
