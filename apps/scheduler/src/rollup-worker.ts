import type { Job } from "bullmq";
import { z } from "zod";
import { bucketStartOf, findLastFoldedBucket, foldHours, foldLateTelemetry, foldTelemetry, recordRollupCoverage, ROLLUP_UNIT_MS, type PrismaClient } from "@rigshift/db";
import { TELEMETRY_LATE_AFTER_MS } from "@rigshift/protocol";
import type { Log } from "./log";

/** The scheduler's own queue: only it adds and runs these jobs. */
export const ROLLUP_QUEUE = "rollup";

/** Fold one unit's buckets: [from, to) when given (a backfill), else the recent ones. */
export const ZRollupJob = z.object({
  unit: z.enum(["minute", "hour"]),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export type RollupJob = z.infer<typeof ZRollupJob>;

/**
 * How long after a bucket ends a job without a range folds it. A sample stored later than
 * TELEMETRY_LATE_AFTER_MS after its time is marked late by the gateway and re-folded by rig; one
 * stored sooner can still change the buckets up to `maxGapS` before it (it ends the interval of
 * the sample before), and a minute more allows for batching and clocks.
 */
const rollupSettleMs = (maxGapS: number) => TELEMETRY_LATE_AFTER_MS + maxGapS * 1000 + 60_000;

/** The furthest back a job without a range catches up: the largest lookback the config allows. */
const MAX_CATCH_UP_MS = { minute: 24 * 3_600_000, hour: 7 * 24 * 3_600_000 } as const;

/** Where a job without a range starts: the lookback, or just after the newest bucket folded before it, whichever is earlier. */
const recentStart = async (db: PrismaClient, unit: RollupJob["unit"], end: Date, lookback: number) => {
  const byLookback = end.getTime() - lookback * ROLLUP_UNIT_MS[unit];
  // Older than the lookback, so a run's own recent folds do not hide a hole before them.
  const last = await findLastFoldedBucket(db, { unit, before: new Date(byLookback) });
  const afterLast = last ? last.getTime() + ROLLUP_UNIT_MS[unit] : byLookback;
  return new Date(Math.max(end.getTime() - MAX_CATCH_UP_MS[unit], Math.min(byLookback, afterLast)));
};

/**
 * A `rollup` job folds the last `lookback` settled buckets of its unit (`rollupSettleMs`) unless it
 * names a range; with the lookback equal to its cron's period, each bucket once. It also goes back to just after the
 * newest bucket folded before that window, at most a day of minutes or a week of hours: buckets
 * the scheduler missed while it was down (or that the demo seed wrote before it started) would
 * otherwise stay unfolded, and charts show unfolded minutes as a gap. Folding replaces rows, so
 * repeated or overlapping jobs are harmless. A minute job then re-folds the rigs the gateway
 * marked late (`foldLateTelemetry`): samples older than any lookback, such as a spool replayed
 * after a long network cut, which no later run would fold.
 */
export const createRollupProcessor =
  ({ db, maxGapS, lookback, retentionDays, log, now }: {
    db: PrismaClient; maxGapS: number; lookback: { minute: number; hour: number }; retentionDays: number; log: Log; now: () => Date;
  }) =>
  async (job: Job) => {
    const { unit, from, to } = ZRollupJob.parse(job.data);
    const end = to ? new Date(to) : bucketStartOf(unit, new Date(now().getTime() - rollupSettleMs(maxGapS)));
    const start = from ? new Date(from) : await recentStart(db, unit, end, lookback[unit]);
    // A run of its own sums hours from the minutes where they are all folded; a named range folds raw.
    const rows = unit === "hour" && !from && !to
      ? await foldHours(db, { from: start, to: end, maxGapS })
      : await foldTelemetry(db, { unit, from: start, to: end, maxGapS });
    // Only a run of its own folds settled buckets; a named range may reach past them.
    if (!from && !to) await recordRollupCoverage(db, { unit, from: start, to: end });
    log.debug({ unit, from: start.toISOString(), to: end.toISOString(), rows }, "telemetry folded");
    if (unit !== "minute") return { unit, from: start.toISOString(), to: end.toISOString(), rows };
    // Raw older than retention may be gone by now: a fold there would empty the rig's rollups.
    const notBefore = new Date(now().getTime() - retentionDays * 86_400_000 + 3_600_000);
    const late = await foldLateTelemetry(db, { maxGapS, now: now(), notBefore });
    if (late.marks > 0) log.info({ marks: late.marks, rows: late.rows }, "late telemetry folded");
    return { unit, from: start.toISOString(), to: end.toISOString(), rows, late };
  };
