import type { Db } from "../client";

/** What a GPU model does in one mode (and, hashing, one algorithm), learned from the hour rollups. */
export type LearnedGpuModelPerf = {
  model: string;
  mode: "HASHING" | "AI" | "IDLE";
  /** The algorithm hashed (from the coin's quotes or miner profile); null for AI and IDLE. */
  algorithm: string | null;
  /** H/s while hashing: null for AI and IDLE. */
  hashrateHs: { median: number; mean: number } | null;
  /** Board power, W. */
  powerW: { median: number; mean: number };
  /** GPU-hours of telemetry behind the figures. */
  gpuHours: number;
};

type Row = {
  model: string; mode: "HASHING" | "AI" | "IDLE"; algorithm: string;
  hs_median: number; hs_mean: number; w_median: number; w_mean: number; gpu_hours: number;
};

/**
 * Per GPU model: hashrate and power while hashing each algorithm, and power under AI work and
 * idle, from the hour rollups in [since, until). Means are over time (hashes ÷ seconds, energy ÷
 * seconds); medians are of the GPU-hours' own rates, weighted by the seconds each holds, so a few
 * seconds left over at an hour's edge cannot swing them. A hashing hour whose coin has no known
 * algorithm is left out. Plain numbers: the planner scores in floats.
 */
export const learnGpuModelPerf = async (db: Db, { since, until = new Date() }: { since: Date; until?: Date }): Promise<LearnedGpuModelPerf[]> => {
  const rows = await db.$queryRaw<Row[]>`
    WITH algos AS (
      SELECT DISTINCT ON (coin) coin, algorithm FROM (
        SELECT "symbol" AS coin, "algorithm", "at", 0 AS pref FROM "MarketQuote" WHERE "kind" = 'COIN' AND "algorithm" IS NOT NULL
        UNION ALL
        SELECT "coin", "algorithm", "createdAt", 1 FROM "MinerProfile"
      ) a ORDER BY coin, pref, "at" DESC
    ), parts AS (
      SELECT g."model", h."mode"::text AS mode,
             CASE WHEN h."mode" = 'HASHING' THEN a."algorithm" ELSE '' END AS algorithm,
             h."seconds"::float8 AS secs, h."hashes"::float8 AS hashes, h."energyWh"::float8 AS wh
        FROM "TelemetryHour" h
        JOIN "Gpu" g ON g."id" = h."gpuId"
        LEFT JOIN algos a ON a.coin = h."coin"
       WHERE h."bucket" >= ${since} AND h."bucket" < ${until} AND h."seconds" > 0 AND h."mode" IN ('HASHING', 'AI', 'IDLE')
    ), rated AS (
      SELECT model, mode, algorithm, secs, hashes, wh, hashes / secs AS hs, wh * 3600 / secs AS w,
             sum(secs) OVER k AS total
        FROM parts WHERE algorithm IS NOT NULL
      WINDOW k AS (PARTITION BY model, mode, algorithm)
    ), hs_median AS (
      SELECT DISTINCT ON (model, mode, algorithm) model, mode, algorithm, hs AS median FROM (
        SELECT *, sum(secs) OVER (PARTITION BY model, mode, algorithm ORDER BY hs ROWS UNBOUNDED PRECEDING) AS cum FROM rated
      ) r WHERE cum * 2 >= total ORDER BY model, mode, algorithm, hs
    ), w_median AS (
      SELECT DISTINCT ON (model, mode, algorithm) model, mode, algorithm, w AS median FROM (
        SELECT *, sum(secs) OVER (PARTITION BY model, mode, algorithm ORDER BY w ROWS UNBOUNDED PRECEDING) AS cum FROM rated
      ) r WHERE cum * 2 >= total ORDER BY model, mode, algorithm, w
    )
    SELECT r.model, r.mode, r.algorithm, hm.median AS hs_median, sum(r.hashes) / sum(r.secs) AS hs_mean,
           wm.median AS w_median, sum(r.wh) * 3600 / sum(r.secs) AS w_mean, sum(r.secs) / 3600 AS gpu_hours
      FROM rated r
      JOIN hs_median hm USING (model, mode, algorithm)
      JOIN w_median wm USING (model, mode, algorithm)
     GROUP BY r.model, r.mode, r.algorithm, hm.median, wm.median
     ORDER BY r.model, r.mode, r.algorithm`;
  return rows.map((r) => ({
    model: r.model,
    mode: r.mode,
    algorithm: r.mode === "HASHING" ? r.algorithm : null,
    hashrateHs: r.mode === "HASHING" ? { median: Number(r.hs_median), mean: Number(r.hs_mean) } : null,
    powerW: { median: Number(r.w_median), mean: Number(r.w_mean) },
    gpuHours: Number(r.gpu_hours),
  }));
};
