import type { Db } from "../client";
import type { TelemetryRow } from "../queries/telemetry";

/** Rows a statement: a few MB of arrays, well inside what one round trip carries. */
const CHUNK_ROWS = 10_000;

/**
 * Write the backfill as one `INSERT … SELECT FROM unnest(arrays)` per chunk: a column per bind
 * parameter instead of one per value. Prisma's createMany took ~30 s for the ~58,000 rows of the
 * demo day (the seed runs at every fresh `npm start` and browser test); this takes ~2 s, and
 * still runs inside the caller's transaction.
 */
export const insertSamples = async (db: Db, rows: TelemetryRow[]) => {
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    const c = rows.slice(i, i + CHUNK_ROWS);
    const col = <K extends keyof TelemetryRow>(key: K) => c.map((r) => r[key]);
    await db.$executeRaw`
      INSERT INTO "TelemetrySample"
        ("rigId", "seq", "gpuIndex", "gpuId", "at", "mode", "coin", "workloadId",
         "hashrateHs", "tempC", "powerW", "fanPct", "utilPct", "vramUsedMb")
      SELECT * FROM unnest(
        ${col("rigId")}::uuid[], ${col("seq")}::bigint[], ${col("gpuIndex")}::int[], ${col("gpuId")}::uuid[],
        ${col("at")}::timestamptz[], ${col("mode")}::"GpuMode"[], ${col("coin")}::text[], ${col("workloadId")}::uuid[],
        ${col("hashrateHs")}::float8[], ${col("tempC")}::float8[], ${col("powerW")}::float8[], ${col("fanPct")}::float8[],
        ${col("utilPct")}::float8[], ${col("vramUsedMb")}::int[])`;
  }
};
