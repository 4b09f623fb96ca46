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
    setMany: async (gpus: GpuLive[]) => {
      if (gpus.length === 0) return;
      await redis.hset(key, Object.fromEntries(gpus.map((g) => [g.gpuId, JSON.stringify(g)])));
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
