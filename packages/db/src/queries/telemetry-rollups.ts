import { Prisma } from "../generated/prisma/client";
import type { Db } from "../client";

export type RollupUnit = "minute" | "hour";

const TABLES: Record<RollupUnit, string> = { minute: "TelemetryMinute", hour: "TelemetryHour" };
const UNIT_MS: Record<RollupUnit, number> = { minute: 60_000, hour: 3_600_000 };
const READINGS = ["hashrateHs", "tempC", "powerW", "fanPct", "utilPct"] as const;

/** Start of the bucket `at` falls in (UTC). */
export const bucketStartOf = (unit: RollupUnit, at: Date) => new Date(Math.floor(at.getTime() / UNIT_MS[unit]) * UNIT_MS[unit]);

/**
 * Fold the raw samples of the buckets in [from, to) (rounded down to bucket starts) into
 * `TelemetryMinute` or `TelemetryHour`, one row per GPU and bucket, replacing what a previous
 * fold wrote: running it again, or after late samples landed, is safe.
 *
 * A sample stands for the time until the GPU's next sample, at most `maxGapS` (the ledger's rule,
 * so a silent rig adds nothing), and counts whole in the bucket it falls in: minutes then add up to
 * their hour exactly. The next sample may lie past `to`, so rows up to `maxGapS` later are read.
 */
export const foldTelemetry = async (db: Db, { unit, from, to, maxGapS }: { unit: RollupUnit; from: Date; to: Date; maxGapS: number }) => {
  const start = bucketStartOf(unit, from);
  const end = bucketStartOf(unit, to);
  if (end <= start) return 0;
  const lookaheadEnd = new Date(end.getTime() + maxGapS * 1000);
  const table = Prisma.raw(`"${TABLES[unit]}"`);
  const stats = READINGS.flatMap((r) => [`min("${r}") AS "${r}Min"`, `max("${r}") AS "${r}Max"`, `avg("${r}") AS "${r}Avg"`]).join(", ");
  const statColumns = READINGS.flatMap((r) => [`"${r}Min"`, `"${r}Max"`, `"${r}Avg"`]);
  const updates = [...statColumns, `"rigId"`, `"samples"`, `"modeSeconds"`, `"hashes"`, `"energyWh"`].map((c) => `${c} = EXCLUDED.${c}`).join(", ");
  return db.$executeRaw`
    WITH raw AS (
      SELECT "gpuId", "rigId", "seq", "at", "mode", "hashrateHs", "tempC", "powerW", "fanPct", "utilPct",
        date_trunc(${unit}::text, "at", 'UTC') AS bucket,
        LEAD("at") OVER (PARTITION BY "gpuId" ORDER BY "at", "seq") AS next_at
      FROM "TelemetrySample"
      WHERE "at" >= ${start} AND "at" < ${lookaheadEnd}
    ), timed AS (
      SELECT *, EXTRACT(EPOCH FROM LEAST(COALESCE(next_at, 'infinity'), "at" + make_interval(secs => ${maxGapS}::float8)) - "at")::float8 AS secs
      FROM raw WHERE "at" < ${end}
    ), modes AS (
      SELECT "gpuId", bucket, jsonb_object_agg("mode", secs) AS "modeSeconds"
      FROM (SELECT "gpuId", bucket, "mode", sum(secs) AS secs FROM timed GROUP BY "gpuId", bucket, "mode") m
      GROUP BY "gpuId", bucket
    ), folded AS (
      SELECT "gpuId", bucket, (array_agg("rigId"))[1] AS "rigId", count(*)::int AS samples, ${Prisma.raw(stats)},
        COALESCE(sum("hashrateHs" * secs), 0) AS hashes,
        COALESCE(sum("powerW" * secs), 0) / 3600 AS "energyWh"
      FROM timed GROUP BY "gpuId", bucket
    )
    INSERT INTO ${table} ("gpuId", "bucket", "rigId", "samples", ${Prisma.raw(statColumns.join(", "))}, "modeSeconds", "hashes", "energyWh", "foldedAt")
    SELECT f."gpuId", f.bucket, f."rigId", f.samples, ${Prisma.raw(statColumns.map((c) => `f.${c}`).join(", "))}, m."modeSeconds", f.hashes, f."energyWh", now()
    FROM folded f JOIN modes m USING ("gpuId", bucket)
    ON CONFLICT ("gpuId", "bucket") DO UPDATE SET ${Prisma.raw(updates)}, "foldedAt" = now()`;
};

export type TelemetryRollupRow = {
  gpuId: string;
  bucket: Date;
  samples: number;
  hashes: number;
  energyWh: number;
  modeSeconds: Record<string, number>;
} & Record<`${(typeof READINGS)[number]}${"Min" | "Max" | "Avg"}`, number | null>;

/** A GPU's rollup rows in [from, to), oldest first: what charts read. */
export const listTelemetryRollups = async (db: Db, { unit, gpuId, from, to }: { unit: RollupUnit; gpuId: string; from: Date; to: Date }) => {
  const where = { gpuId, bucket: { gte: from, lt: to } };
  const rows = unit === "minute"
    ? await db.telemetryMinute.findMany({ where, orderBy: { bucket: "asc" }, omit: { rigId: true, foldedAt: true } })
    : await db.telemetryHour.findMany({ where, orderBy: { bucket: "asc" }, omit: { rigId: true, foldedAt: true } });
  return rows.map((r) => ({ ...r, modeSeconds: r.modeSeconds as Record<string, number> })) satisfies TelemetryRollupRow[];
};
