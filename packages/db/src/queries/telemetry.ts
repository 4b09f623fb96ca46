import type { GpuMode, GpuSample } from "@rigshift/protocol";
import type { Db } from "../client";

/** One stored GPU sample: the wire row of a telemetry message, with the rig, seq, GPU id and time it came with. */
export type TelemetryRow = Omit<GpuSample, "index"> & { rigId: string; seq: number; gpuIndex: number; gpuId: string; at: Date };

// Batches are written with COPY by `createTelemetryWriter` (../telemetry/copy-telemetry.ts).

/** Highest seq stored for a rig: the agent drops what is at or below it. */
export const lastTelemetrySeq = async (db: Db, rigId: string): Promise<number | null> => {
  const row = await db.telemetrySample.aggregate({ where: { rigId }, _max: { seq: true } });
  return row._max.seq === null ? null : Number(row._max.seq);
};

/**
 * `lastTelemetrySeq` for many rigs in one query: each rig's max is an index-only scan of the
 * primary key (rigId first), so this stays cheap however many samples are stored.
 */
export const lastTelemetrySeqs = async (db: Db, rigIds: string[]): Promise<Map<string, number | null>> => {
  if (rigIds.length === 0) return new Map();
  const rows = await db.$queryRawUnsafe<{ rigId: string; lastSeq: bigint | null }[]>(
    `SELECT u.id::text AS "rigId", (SELECT max(t.seq) FROM "TelemetrySample" t WHERE t."rigId" = u.id) AS "lastSeq"
     FROM unnest($1::uuid[]) AS u(id)`,
    rigIds,
  );
  return new Map(rows.map((r) => [r.rigId, r.lastSeq === null ? null : Number(r.lastSeq)]));
};

/**
 * Follow the GPUs' reported modes in their rows, in one statement however many GPUs (a whole
 * fleet reports its modes in the first seconds after a gateway starts); a row already in the
 * reported mode is not rewritten.
 */
export const updateGpuModes = async (db: Db, changes: { gpuId: string; mode: GpuMode }[]) => {
  if (changes.length === 0) return;
  await db.$executeRawUnsafe(
    `UPDATE "Gpu" AS g SET "currentMode" = u.mode, "updatedAt" = now()
     FROM unnest($1::uuid[], $2::"GpuMode"[]) AS u(id, mode)
     WHERE g.id = u.id AND g."currentMode" IS DISTINCT FROM u.mode`,
    changes.map((c) => c.gpuId), changes.map((c) => c.mode),
  );
};

export type TelemetryGapInput = { fromSeq: number; toSeq: number; from: Date; to: Date; dropped: number };

/** Record telemetry a rig dropped. Reported again (or grown), the range only widens. */
export const recordTelemetryGap = (db: Db, rigId: string, gap: TelemetryGapInput) =>
  db.$executeRaw`
    INSERT INTO "TelemetryGap" ("rigId", "fromSeq", "toSeq", "from", "to", "dropped")
    VALUES (${rigId}::uuid, ${BigInt(gap.fromSeq)}, ${BigInt(gap.toSeq)}, ${gap.from}, ${gap.to}, ${gap.dropped})
    ON CONFLICT ("rigId", "fromSeq") DO UPDATE SET
      "toSeq" = GREATEST("TelemetryGap"."toSeq", EXCLUDED."toSeq"),
      "to" = GREATEST("TelemetryGap"."to", EXCLUDED."to"),
      "dropped" = GREATEST("TelemetryGap"."dropped", EXCLUDED."dropped")`;

/** A rig's recorded gaps that overlap [from, to), oldest first. */
export const listTelemetryGaps = async (db: Db, rigId: string, { from, to }: { from: Date; to: Date }) => {
  const gaps = await db.telemetryGap.findMany({
    where: { rigId, from: { lt: to }, to: { gte: from } },
    orderBy: { from: "asc" },
    select: { fromSeq: true, toSeq: true, from: true, to: true, dropped: true },
  });
  return gaps.map((g) => ({ fromSeq: Number(g.fromSeq), toSeq: Number(g.toSeq), from: g.from.toISOString(), to: g.to.toISOString(), dropped: g.dropped }));
};
