import { touchRigs, updateGpuModes, type GpuLiveStore, type PrismaClient } from "@rigshift/db";
import type { GpuLive, GpuMode } from "@rigshift/protocol";
import { createBatchLoader } from "./batch-loader";

/**
 * What follows stored telemetry, written for many messages at once: the latest GPU states (one
 * Redis HSET), GPU rows whose mode changed (one UPDATE) and rigs' last-seen (one UPDATE). A
 * telemetry batch acks hundreds of messages in one turn of the event loop; written per message
 * these were a Redis round trip per message and a query per GPU, most of the gateway's work.
 * Each call resolves once its part is written, so an ack still means "stored and shown live".
 */
export const createRigStateWriter = ({ db, live, now }: { db: PrismaClient; live: GpuLiveStore; now: () => Date }) => {
  const done = <T>(inputs: T[]) => inputs.map(() => undefined);
  const setLive = createBatchLoader<GpuLive[], undefined>({
    maxBatch: 5000,
    maxConcurrent: 2,
    load: async (parts) => {
      // Later parts are newer: in one HSET the last value of a field wins.
      await live.setMany(parts.flat());
      return done(parts);
    },
  });
  const setModes = createBatchLoader<{ gpuId: string; mode: GpuMode }[], undefined>({
    maxBatch: 5000,
    load: async (parts) => {
      const latest = new Map(parts.flat().map((c) => [c.gpuId, c]));
      await updateGpuModes(db, [...latest.values()]);
      return done(parts);
    },
  });
  const touch = createBatchLoader<string, undefined>({
    maxBatch: 5000,
    load: async (rigIds) => {
      await touchRigs(db, [...new Set(rigIds)], now());
      return done(rigIds);
    },
  });
  return { setLive, setModes, touch };
};
