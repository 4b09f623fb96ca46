import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { SchedulerConfig } from "@rigshift/config";
import { createCommandDispatcher, createGpuLiveStore, type PrismaClient } from "@rigshift/db";
import { QUEUES } from "@rigshift/protocol";
import { createCommandProcessor, sweepOpenCommands } from "./command-worker";
import { createLedgerProcessor, unbookedHours } from "./ledger-worker";
import type { Log } from "./log";
import { createMarketSourceProcessor } from "./market-source-worker";
import { createPlanProcessor } from "./plan-worker";
import { createWorkloadSourceProcessor } from "./workload-source-worker";
import { createRetentionProcessor, RETENTION_QUEUE } from "./retention-worker";
import { createRollupProcessor, ROLLUP_QUEUE } from "./rollup-worker";

export type SchedulerDeps = {
  config: Pick<SchedulerConfig, "REDIS_URL" | "REDIS_PREFIX" | "COMMAND_POLL_MS" | "COMMAND_SWEEP_MS" | "LEDGER_CRON" | "LEDGER_MAX_GAP_S" | "LEDGER_CATCH_UP_HOURS"
    | "ROLLUP_MINUTE_CRON" | "ROLLUP_LOOKBACK_MINUTES" | "ROLLUP_HOUR_CRON" | "ROLLUP_LOOKBACK_HOURS"
    | "TELEMETRY_RETENTION_DAYS" | "TELEMETRY_PARTITIONS_AHEAD_DAYS" | "TELEMETRY_RETENTION_CRON"
    | "PLAN_INTERVAL_MS" | "PLAN_COMMAND_TTL_S" | "PLAN_RETENTION_HOURS" | "PLAN_LEARN_DAYS"
    | "MARKET_POLL_MS" | "WORKLOAD_FEED_POLL_MS" | "SOURCE_FETCH_TIMEOUT_MS">;
  db: PrismaClient;
  /** Used to publish command dispatches; BullMQ opens its own connections. */
  redis: Redis;
  log: Log;
  now?: () => Date;
};

export type Scheduler = {
  ledgerQueue: Queue; commandsQueue: Queue; rollupQueue: Queue; retentionQueue: Queue;
  planQueue: Queue; marketSourcesQueue: Queue; workloadSourcesQueue: Queue;
  close: () => Promise<void>;
};

/**
 * The scheduler's workers: `commands` (delivery and the end of every command, and a sweep that
 * gives an open command whose job Redis lost its job back), `ledger`
 * (hourly close, plus a catch-up of recent unbooked hours at start) `rollup` (telemetry
 * folded into minutes and hours), `telemetry-retention` (daily partitions made and dropped), `plan` (the
 * planner every PLAN_INTERVAL_MS, issuing PLANNER commands) and `market-sources` / `workload-sources`
 * (HTTP market data and marketplace job feeds, polled). Several schedulers may run:
 * BullMQ hands each job to one worker, and the ledger's booking is idempotent.
 */
export const startScheduler = async ({ config, db, redis, log, now = () => new Date() }: SchedulerDeps): Promise<Scheduler> => {
  const connection = { url: config.REDIS_URL, maxRetriesPerRequest: null };
  const prefix = config.REDIS_PREFIX;

  const commandsQueue = new Queue(QUEUES.commands, { connection, prefix });
  const ledgerQueue = new Queue(QUEUES.ledger, { connection, prefix });
  const rollupQueue = new Queue(ROLLUP_QUEUE, { connection, prefix });
  const retentionQueue = new Queue(RETENTION_QUEUE, { connection, prefix });
  const planQueue = new Queue(QUEUES.plan, { connection, prefix });
  const marketSourcesQueue = new Queue(QUEUES.marketSources, { connection, prefix });
  const workloadSourcesQueue = new Queue(QUEUES.workloadSources, { connection, prefix });

  const deliverCommand = createCommandProcessor({ db, dispatch: createCommandDispatcher({ redis, prefix }), pollMs: config.COMMAND_POLL_MS, log, now });
  const commandWorker = new Worker(
    QUEUES.commands,
    (job, token) => (job.name === "sweep" ? sweepOpenCommands({ db, queue: commandsQueue, log }) : deliverCommand(job, token)),
    { connection, prefix, concurrency: 50 },
  );
  const ledgerWorker = new Worker(QUEUES.ledger, createLedgerProcessor({ db, maxGapS: config.LEDGER_MAX_GAP_S, log, now }), {
    connection,
    prefix,
    concurrency: 1,
  });
  const rollupWorker = new Worker(
    ROLLUP_QUEUE,
    createRollupProcessor({
      db, maxGapS: config.LEDGER_MAX_GAP_S, log, now, retentionDays: config.TELEMETRY_RETENTION_DAYS,
      lookback: { minute: config.ROLLUP_LOOKBACK_MINUTES, hour: config.ROLLUP_LOOKBACK_HOURS },
    }),
    { connection, prefix, concurrency: 1 },
  );
  const retentionWorker = new Worker(
    RETENTION_QUEUE,
    createRetentionProcessor({
      db, log, now, retentionDays: config.TELEMETRY_RETENTION_DAYS, aheadDays: config.TELEMETRY_PARTITIONS_AHEAD_DAYS,
    }),
    { connection, prefix, concurrency: 1 },
  );
  // The planner runs one plan at a time: two at once would both see a GPU free and command it twice.
  const planWorker = new Worker(
    QUEUES.plan,
    createPlanProcessor({
      db, live: createGpuLiveStore({ redis, prefix }), commandsQueue, commandTtlS: config.PLAN_COMMAND_TTL_S,
      retentionHours: config.PLAN_RETENTION_HOURS, learnDays: config.PLAN_LEARN_DAYS, log, now,
    }),
    { connection, prefix, concurrency: 1 },
  );
  const marketSourcesWorker = new Worker(
    QUEUES.marketSources,
    createMarketSourceProcessor({ db, queue: marketSourcesQueue, timeoutMs: config.SOURCE_FETCH_TIMEOUT_MS, log, now }),
    { connection, prefix, concurrency: 4 },
  );
  const workloadSourcesWorker = new Worker(
    QUEUES.workloadSources,
    createWorkloadSourceProcessor({ db, queue: workloadSourcesQueue, timeoutMs: config.SOURCE_FETCH_TIMEOUT_MS, log, now }),
    { connection, prefix, concurrency: 1 },
  );
  const workers = [
    ["commands", commandWorker], ["ledger", ledgerWorker], ["rollup", rollupWorker], ["retention", retentionWorker],
    ["plan", planWorker], ["market-sources", marketSourcesWorker], ["workload-sources", workloadSourcesWorker],
  ] as const;
  for (const [name, worker] of workers) {
    worker.on("failed", (job, err) => log.error({ queue: name, jobId: job?.id, err }, "job failed"));
    worker.on("error", (err) => log.error({ queue: name, err }, "worker error"));
  }

  const keep = { removeOnComplete: 100, removeOnFail: 100 };
  await rollupQueue.upsertJobScheduler("rollup-minutes", { pattern: config.ROLLUP_MINUTE_CRON, tz: "UTC" }, { name: "fold", data: { unit: "minute" }, opts: keep });
  await rollupQueue.upsertJobScheduler("rollup-hours", { pattern: config.ROLLUP_HOUR_CRON, tz: "UTC" }, { name: "fold", data: { unit: "hour" }, opts: keep });
  await retentionQueue.upsertJobScheduler("telemetry-retention", { pattern: config.TELEMETRY_RETENTION_CRON, tz: "UTC" }, { name: "maintain", data: {}, opts: keep });
  // At start too: a fresh install (or one stopped for days) gets today's partitions at once.
  await retentionQueue.add("maintain", {}, keep);
  // Interval 0 turns a job off (and removes a schedule an earlier start left in Redis).
  const every = async (queue: Queue, id: string, ms: number, name: string) =>
    ms > 0 ? queue.upsertJobScheduler(id, { every: ms }, { name, data: {}, opts: keep }) : queue.removeJobScheduler(id);
  await every(commandsQueue, "commands-sweep", config.COMMAND_SWEEP_MS, "sweep");
  // At start too: a Redis that restarted with this scheduler lost every command's job.
  if (config.COMMAND_SWEEP_MS > 0) await commandsQueue.add("sweep", {}, keep);
  await every(planQueue, "plan", config.PLAN_INTERVAL_MS, "plan");
  await every(marketSourcesQueue, "market-sources-sweep", config.MARKET_POLL_MS, "sweep");
  await every(workloadSourcesQueue, "workload-sources-sweep", config.WORKLOAD_FEED_POLL_MS, "sweep");
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
    rollupQueue,
    retentionQueue,
    planQueue,
    marketSourcesQueue,
    workloadSourcesQueue,
    close: async () => {
      await Promise.all(workers.map(([, worker]) => worker.close()));
      await Promise.all([commandsQueue.close(), ledgerQueue.close(), rollupQueue.close(), retentionQueue.close(), planQueue.close(), marketSourcesQueue.close(), workloadSourcesQueue.close()]);
    },
  };
};
