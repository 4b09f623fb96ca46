import type { Redis } from "ioredis";
import { ZGpuLive, type GpuLive } from "@rigshift/protocol";

/**
 * Latest state of every GPU, in one Redis hash (field = GPU id, value = JSON GpuLive).
 * The gateway writes it on every telemetry message; the fleet API reads it instead of
 * scanning raw samples. Values are parsed on the way out: Redis is input like any other.
 */
export type GpuLiveStore = ReturnType<typeof createGpuLiveStore>;

export const createGpuLiveStore = ({ redis, prefix }: { redis: Redis; prefix: string }) => {
  const key = `${prefix}:gpu-live`;
  return {
    /** Later entries are newer: a GPU listed twice keeps its last state, encoded once. */
    setMany: async (gpus: GpuLive[]) => {
      if (gpus.length === 0) return;
      const latest = new Map<string, GpuLive>();
      for (const g of gpus) latest.set(g.gpuId, g);
      // Field-value pairs as arguments: an object keyed by thousands of uuids is slow to build.
      const args: string[] = [];
      for (const [gpuId, g] of latest) args.push(gpuId, JSON.stringify(g));
      await redis.hset(key, ...args);
    },
    getMany: async (gpuIds: string[]): Promise<Map<string, GpuLive>> => {
      const out = new Map<string, GpuLive>();
      if (gpuIds.length === 0) return out;
      const values = await redis.hmget(key, ...gpuIds);
      values.forEach((raw, i) => {
        if (!raw) return;
        const parsed = ZGpuLive.safeParse(JSON.parse(raw));
        if (parsed.success) out.set(gpuIds[i]!, parsed.data);
      });
      return out;
    },
  };
};
