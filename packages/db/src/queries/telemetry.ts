import type { GpuMode, GpuSample } from "@rigshift/protocol";
import type { Db } from "../client";
import { groupTelemetryMessages } from "../telemetry/copy-binary";

/** One stored GPU sample: the wire row of a telemetry message, with the rig, seq, GPU id and time it came with. */
export type TelemetryRow = Omit<GpuSample, "index"> & { rigId: string; seq: number; gpuIndex: number; gpuId: string; at: Date };

// Batches are written with COPY by `createTelemetryWriter` (../telemetry/copy-telemetry.ts).

/** A sample for `insertTelemetrySamples`: readings left out are NULL. */
export type TelemetrySampleInput = Pick<TelemetryRow, "rigId" | "gpuIndex" | "gpuId" | "at" | "mode"> &
  Partial<Omit<TelemetryRow, "rigId" | "seq" | "gpuIndex" | "gpuId" | "at" | "mode">> & { seq: number | bigint };

/** GPU rows a statement: a few MB of arrays, well inside what one round trip carries. */
const INSERT_CHUNK_ROWS = 10_000;

/**
 * Store samples outside the ingest path (the demo farm's backfill, tests), grouped into their rig
 * messages as the gateway's writer stores them, within the caller's transaction if it has one. One
 * `INSERT … SELECT FROM unnest(arrays)` per chunk of messages: a column per bind parameter instead of
 * one per value (Prisma's createMany took ~30 s for the ~58,000 rows of the demo day; this ~2 s).
 * A message already stored is an error here, not skipped: callers write what is not there yet.
 */
export const insertTelemetrySamples = async (db: Db, samples: readonly TelemetrySampleInput[]) => {
  const rows: TelemetryRow[] = samples.map((s) => ({
    coin: null, workloadId: null, hashrateHs: null, tempC: null, powerW: null, fanPct: null, utilPct: null, vramUsedMb: null,
    ...s, seq: Number(s.seq),
  }));
  const messages = groupTelemetryMessages(rows);
  for (let i = 0; i < messages.length;) {
    const c: TelemetryRow[] = [];
    while (i < messages.length && c.length < INSERT_CHUNK_ROWS) {
      const { rigId, seq, at, gpus, gpuIds } = messages[i++]!;
      gpus.forEach(({ index, ...reading }, g) => c.push({ ...reading, rigId, seq, at, gpuIndex: index, gpuId: gpuIds[g]! }));
    }
    const col = <K extends keyof TelemetryRow>(key: K) => c.map((r) => r[key]);
    await db.$executeRaw`
      INSERT INTO "TelemetryMessage"
        ("rigId", "seq", "at", "gpuIndex", "gpuId", "mode", "coin", "workloadId",
         "hashrateHs", "tempC", "powerW", "fanPct", "utilPct", "vramUsedMb")
      SELECT "rigId", "seq", "at", array_agg("gpuIndex" ORDER BY "gpuIndex"), array_agg("gpuId" ORDER BY "gpuIndex"),
        array_agg("mode" ORDER BY "gpuIndex"), array_agg("coin" ORDER BY "gpuIndex"), array_agg("workloadId" ORDER BY "gpuIndex"),
        array_agg("hashrateHs" ORDER BY "gpuIndex"), array_agg("tempC" ORDER BY "gpuIndex"), array_agg("powerW" ORDER BY "gpuIndex"),
        array_agg("fanPct" ORDER BY "gpuIndex"), array_agg("utilPct" ORDER BY "gpuIndex"), array_agg("vramUsedMb" ORDER BY "gpuIndex")
      FROM unnest(
        ${col("rigId")}::uuid[], ${col("seq")}::bigint[], ${col("gpuIndex")}::int[], ${col("gpuId")}::uuid[],
        ${col("at")}::timestamptz[], ${col("mode")}::"GpuMode"[], ${col("coin")}::text[], ${col("workloadId")}::uuid[],
        ${col("hashrateHs")}::float8[], ${col("tempC")}::float8[], ${col("powerW")}::float8[], ${col("fanPct")}::float8[],
        ${col("utilPct")}::float8[], ${col("vramUsedMb")}::int[])
        AS r("rigId", "seq", "gpuIndex", "gpuId", "at", "mode", "coin", "workloadId", "hashrateHs", "tempC", "powerW", "fanPct", "utilPct", "vramUsedMb")
      GROUP BY "rigId", "seq", "at"`;
  }
  return rows.length;
};

/** Highest seq stored for a rig: the agent drops what is at or below it. */
export const lastTelemetrySeq = async (db: Db, rigId: string): Promise<number | null> => {
  const row = await db.telemetryMessage.aggregate({ where: { rigId }, _max: { seq: true } });
  return row._max.seq === null ? null : Number(row._max.seq);
};

/**
 * `lastTelemetrySeq` for many rigs in one query: each rig's max is an index-only scan of the
 * primary key (rigId first), so this stays cheap however many samples are stored.
 */
export const lastTelemetrySeqs = async (db: Db, rigIds: string[]): Promise<Map<string, number | null>> => {
  if (rigIds.length === 0) return new Map();
  const rows = await db.$queryRawUnsafe<{ rigId: string; lastSeq: bigint | null }[]>(
    `SELECT u.id::text AS "rigId", (SELECT max(t.seq) FROM "TelemetryMessage" t WHERE t."rigId" = u.id) AS "lastSeq"
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
