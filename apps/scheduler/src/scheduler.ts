import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { SchedulerConfig } from "@rigshift/config";
import type { PrismaClient } from "@rigshift/db";
import { QUEUES } from "@rigshift/protocol";
import { createCommandProcessor } from "./command-worker";
import { createLedgerProcessor, unbookedHours } from "./ledger-worker";
import type { Log } from "./log";

export type SchedulerDeps = {
  config: Pick<SchedulerConfig, "REDIS_URL" | "REDIS_PREFIX" | "COMMAND_POLL_MS" | "LEDGER_CRON" | "LEDGER_MAX_GAP_S" | "LEDGER_CATCH_UP_HOURS">;
  db: PrismaClient;
  /** Used to publish command dispatches; BullMQ opens its own connections. */
  redis: Redis;
  log: Log;
  now?: () => Date;
};

export type Scheduler = { ledgerQueue: Queue; commandsQueue: Queue; close: () => Promise<void> };

/**
 * The scheduler's workers: `commands` (delivery and the end of every command) and `ledger`
 * (hourly close, plus a catch-up of recent unbooked hours at start). Several schedulers may run:
 * BullMQ hands each job to one worker, and the ledger's booking is idempotent.
 */
export const startScheduler = async ({ config, db, redis, log, now = () => new Date() }: SchedulerDeps): Promise<Scheduler> => {
  const connection = { url: config.REDIS_URL, maxRetriesPerRequest: null };
  const prefix = config.REDIS_PREFIX;

  const commandsQueue = new Queue(QUEUES.commands, { connection, prefix });
  const ledgerQueue = new Queue(QUEUES.ledger, { connection, prefix });

  const commandWorker = new Worker(
    QUEUES.commands,
    createCommandProcessor({ db, publisher: redis, prefix, pollMs: config.COMMAND_POLL_MS, log, now }),
    { connection, prefix, concurrency: 50 },
  );
  const ledgerWorker = new Worker(QUEUES.ledger, createLedgerProcessor({ db, maxGapS: config.LEDGER_MAX_GAP_S, log, now }), {
    connection,
    prefix,
    concurrency: 1,
  });
  for (const [name, worker] of [["commands", commandWorker], ["ledger", ledgerWorker]] as const) {
    worker.on("failed", (job, err) => log.error({ queue: name, jobId: job?.id, err }, "job failed"));
    worker.on("error", (err) => log.error({ queue: name, err }, "worker error"));
  }

  await ledgerQueue.upsertJobScheduler("ledger-close", { pattern: config.LEDGER_CRON, tz: "UTC" }, { name: "close", data: {} });
  const backlog = await unbookedHours(db, { now: now(), catchUpHours: config.LEDGER_CATCH_UP_HOURS });
  if (backlog.length) {
    log.info({ hours: backlog.length }, "booking unbooked hours");
    await ledgerQueue.addBulk(
      backlog.map((h) => ({ name: "catch-up", data: { hourStart: h.toISOString() }, opts: { jobId: `catch-up-${h.getTime()}`, removeOnComplete: 1000 } })),
    );
  }

  return {
    commandsQueue,
    ledgerQueue,
    close: async () => {
      await Promise.all([commandWorker.close(), ledgerWorker.close()]);
      await Promise.all([commandsQueue.close(), ledgerQueue.close()]);
    },
  };
};
