import type { Job } from "bullmq";
import { dayStartOf, dropTelemetryBefore, ensureTelemetryPartitions, type PrismaClient } from "@rigshift/db";
import type { Log } from "./log";

/** The scheduler's own queue: only it adds and runs these jobs. */
export const RETENTION_QUEUE = "telemetry-retention";

const DAY_MS = 86_400_000;

/**
 * A `telemetry-retention` job keeps raw telemetry's daily partitions in step with time: it makes
 * today's and the next `aheadDays` days' partitions, and drops the days wholly older than
 * `retentionDays`. Both steps are idempotent, so repeated or overlapping runs are harmless.
 */
export const createRetentionProcessor =
  ({ db, retentionDays, aheadDays, log, now }: { db: PrismaClient; retentionDays: number; aheadDays: number; log: Log; now: () => Date }) =>
  async (_job: Job) => {
    const at = now();
    const created = await ensureTelemetryPartitions(db, { from: dayStartOf(at), days: aheadDays + 1 });
    const before = new Date(at.getTime() - retentionDays * DAY_MS);
    const { dropped, defaultRows } = await dropTelemetryBefore(db, { before });
    if (created.length || dropped.length || defaultRows) log.info({ created, dropped, defaultRows, before: before.toISOString() }, "telemetry partitions maintained");
    return { created, dropped, defaultRows };
  };
