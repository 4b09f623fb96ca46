import { lastTelemetrySeqs, syncRigInventories, syncRigInventory, lastTelemetrySeq, type PrismaClient, type RigHello } from "@rigshift/db";
import { createBatchLoader } from "./batch-loader";
import type { Log } from "./log";

export type Greeting = { gpus: { index: number; gpuId: string }[]; lastSeq: number | null };

/**
 * The database side of `hello`: the rig's inventory synced and its last stored seq, for many
 * rigs per query (a gateway restart brings the whole fleet at once; one transaction per rig
 * kept most of 10,000 rigs waiting past their hello timeout). Two batches at most run at once,
 * so hellos never take every database connection. Should a batch fail, its rigs are retried one
 * by one, so one rig's bad inventory (a GPU uuid another rig still holds) fails only that rig.
 */
export const createRigGreeter = ({ db, log, now }: { db: PrismaClient; log: Log; now: () => Date }) =>
  createBatchLoader<RigHello, Greeting>({
    maxBatch: 500,
    maxConcurrent: 2,
    load: async (hellos) => {
      // A rig that reconnected while queued says hello twice: its newest hello counts.
      const latest = [...new Map(hellos.map((h) => [h.rigId, h])).values()];
      try {
        const gpus = await syncRigInventories(db, latest, now());
        const seqs = await lastTelemetrySeqs(db, latest.map((h) => h.rigId));
        return hellos.map((h) => ({ gpus: gpus.get(h.rigId)!, lastSeq: seqs.get(h.rigId) ?? null }));
      } catch (err) {
        if (latest.length === 1) throw err;
        log.warn({ err, rigs: latest.length }, "batched hello failed; greeting the rigs one by one");
        return Promise.all(
          hellos.map(async (h) => {
            try {
              const gpus = await syncRigInventory(db, h.rigId, { ...h, now: now() });
              return { gpus, lastSeq: await lastTelemetrySeq(db, h.rigId) };
            } catch (one) {
              return one instanceof Error ? one : new Error(String(one));
            }
          }),
        );
      }
    },
  });
