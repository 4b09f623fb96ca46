import type { Job } from "bullmq";
import { bookLedgerHour, hourStartOf, listUnbookedHours, type PrismaClient } from "@rigshift/db";
import { ZLedgerJob } from "@rigshift/protocol";
import type { Log } from "./log";

const HOUR_MS = 3_600_000;

/**
 * A `ledger` job books one hour: the one it names, or the last complete hour. It books from the
 * hour's minute rollups, folded again just before (so samples that landed since the last
 * `rollup` run count, and a stalled rollup queue cannot leave the hour unbooked). Booking is
 * idempotent (the ledger is append-only and unique per GPU, hour and kind), so a retried or
 * repeated job adds nothing twice.
 */
export const createLedgerProcessor =
  ({ db, maxGapS, log, now }: { db: PrismaClient; maxGapS: number; log: Log; now: () => Date }) =>
  async (job: Job) => {
    const { hourStart } = ZLedgerJob.parse(job.data);
    const hour = hourStart ? hourStartOf(new Date(hourStart)) : new Date(hourStartOf(now()).getTime() - HOUR_MS);
    const result = await bookLedgerHour(db, { hourStart: hour, maxGapS });
    if (result.skippedSites.length) log.warn({ hour, sites: result.skippedSites }, "sites without an FX quote were not booked");
    log.info({ hour: hour.toISOString(), gpus: result.gpus, entries: result.entries }, "ledger hour booked");
    return { hourStart: hour.toISOString(), gpus: result.gpus, entries: result.entries, skippedSites: result.skippedSites };
  };

/** Complete hours with telemetry but no books, within the catch-up window: booked at start. */
export const unbookedHours = (db: PrismaClient, { now, catchUpHours }: { now: Date; catchUpHours: number }) =>
  listUnbookedHours(db, { from: new Date(hourStartOf(now).getTime() - catchUpHours * HOUR_MS), until: hourStartOf(now) });
