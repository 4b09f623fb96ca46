import { type GpuMode, type GpuSamplePoint, ZGpuMode } from "@rigshift/protocol";
import type { Db } from "../client";
import { findLastFoldedBucket, listTelemetryRollups, ROLLUP_UNIT_MS, type RollupUnit } from "./telemetry-rollups";

/** Where a chart's points come from: raw samples for short ranges, minute rollups up to two days, hours beyond. */
export type ChartResolution = "raw" | "minute" | "hour";

const HOUR_MS = 3_600_000;
const RAW_UNDER_MS = HOUR_MS;
const MINUTES_UP_TO_MS = 48 * HOUR_MS;

export const chartResolutionFor = (spanMs: number): ChartResolution =>
  spanMs < RAW_UNDER_MS ? "raw" : spanMs <= MINUTES_UP_TO_MS ? "minute" : "hour";

export type GpuChart = { resolution: ChartResolution; bucketS: number; samples: GpuSamplePoint[] };

/** One part of a bin: readings averaged over `samples` samples, from a rollup row or from raw. */
type Part = { bin: number; mode: string; samples: number; hashrateHs: number | null; tempC: number | null; powerW: number | null };
type RawPart = { at: Date; mode: string; samples: number; hashrateHs: number | null; tempC: number | null; powerW: number | null };

/**
 * A GPU's raw samples are found through the primary key (rig first) by its rig and slot, which name
 * the same card as its id (a card swapped into the slot keeps the row): raw telemetry has no index
 * on the GPU id, since every index on it costs the ingest path a write per sample.
 */
const rawParts = async (db: Db, gpuId: string, { from, to, origin, binMs }: { from: Date; to: Date; origin: Date; binMs: number }) => {
  if (from >= to) return [];
  const rows = await db.$queryRaw<RawPart[]>`
    SELECT date_bin(${`${binMs} milliseconds`}::interval, s."at", ${origin}::timestamptz) AS "at", s."mode"::text AS "mode", count(*)::int AS samples,
           avg(s."hashrateHs") AS "hashrateHs", avg(s."tempC") AS "tempC", avg(s."powerW") AS "powerW"
      FROM "Gpu" g
      JOIN "TelemetrySample" s ON s."rigId" = g."rigId" AND s."gpuIndex" = g."index"
     WHERE g.id = ${gpuId}::uuid AND s."at" >= ${from} AND s."at" < ${to}
     GROUP BY 1, 2`;
  return rows.map((r) => ({ ...r, bin: r.at.getTime() }));
};

/** Samples-weighted mean of the parts that have the reading. */
const mean = (parts: Part[], key: "hashrateHs" | "tempC" | "powerW") => {
  let sum = 0;
  let n = 0;
  for (const p of parts) {
    const v = p[key];
    if (v === null || p.samples === 0) continue;
    sum += Number(v) * p.samples;
    n += p.samples;
  }
  return n === 0 ? null : sum / n;
};

/**
 * A GPU's telemetry between two times as at most `maxPoints` equal buckets, so a chart of a month
 * costs the same as a chart of an hour. Under an hour it reads raw samples; up to two days the
 * minute rollups, beyond that the hour rollups, and raw samples for the recent part the rollup
 * job has not folded yet. A bucket's mode is the one most of its samples report. A stretch with
 * no samples gets one point of null readings, so a chart shows an outage (or telemetry the rig
 * had to drop) as a gap rather than drawing a line across it.
 */
export const listGpuChart = async (
  db: Db,
  gpuId: string,
  { from, to, maxPoints = 720 }: { from: Date; to: Date; maxPoints?: number },
): Promise<GpuChart> => {
  const resolution = chartResolutionFor(to.getTime() - from.getTime());
  const unitMs = resolution === "raw" ? 1000 : ROLLUP_UNIT_MS[resolution];
  const binMs = Math.ceil(Math.max(unitMs, (to.getTime() - from.getTime()) / maxPoints) / unitMs) * unitMs;
  const binOf = (t: number) => from.getTime() + Math.floor((t - from.getTime()) / binMs) * binMs;

  let parts: Part[];
  if (resolution === "raw") {
    parts = await rawParts(db, gpuId, { from, to, origin: from, binMs });
  } else {
    const unit: RollupUnit = resolution;
    const last = await findLastFoldedBucket(db, { unit, gpuId, before: to });
    const foldedTo = last && last.getTime() + unitMs > from.getTime() ? new Date(Math.min(to.getTime(), last.getTime() + unitMs)) : from;
    const rollups = foldedTo > from ? await listTelemetryRollups(db, { unit, gpuId, from, to: foldedTo }) : [];
    parts = [
      ...rollups.map((r) => ({ bin: binOf(r.bucket.getTime()), mode: r.mode, samples: r.samples, hashrateHs: r.hashrateHsAvg, tempC: r.tempCAvg, powerW: r.powerWAvg })),
      ...(await rawParts(db, gpuId, { from: foldedTo, to, origin: from, binMs })),
    ];
  }

  const bins = new Map<number, Part[]>();
  for (const p of parts) {
    // A rollup row that only holds the tail of an earlier sample says nothing about this bucket.
    if (p.samples === 0) continue;
    bins.set(p.bin, [...(bins.get(p.bin) ?? []), p]);
  }
  const points = [...bins.entries()].sort((a, b) => a[0] - b[0]).map(([bin, ps]) => {
    const perMode = new Map<string, number>();
    for (const p of ps) perMode.set(p.mode, (perMode.get(p.mode) ?? 0) + p.samples);
    const mode = [...perMode.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    return { at: new Date(bin).toISOString(), mode: ZGpuMode.parse(mode), hashrateHs: mean(ps, "hashrateHs"), tempC: mean(ps, "tempC"), powerW: mean(ps, "powerW") };
  });

  // Fill only between the first and last point: before the first there may simply be no history.
  const samples: GpuSamplePoint[] = [];
  let previous: number | null = null;
  for (const p of points) {
    const t = Date.parse(p.at);
    // Agents sample every few seconds; a bucket is only "missing" when samples are sparser than buckets.
    if (previous !== null && t - previous > 2 * Math.max(binMs, 60_000)) {
      samples.push({ at: new Date(previous + binMs).toISOString(), mode: "OFFLINE" satisfies GpuMode, hashrateHs: null, tempC: null, powerW: null });
    }
    samples.push(p);
    previous = t;
  }
  return { resolution, bucketS: binMs / 1000, samples };
};
