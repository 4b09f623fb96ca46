import { z } from "zod";
import { parseEnv, ZSharedConfig } from "./shared";

export const ZSchedulerConfig = ZSharedConfig.extend({
  /** How often a dispatched command is checked for completion or expiry. */
  COMMAND_POLL_MS: z.coerce.number().int().positive().default(1000),
  /** How often open commands that lost their delivery job (Redis restarted, or refused it) get it back; 0 turns it off. */
  COMMAND_SWEEP_MS: z.coerce.number().int().min(0).default(60_000),
  /**
   * Cron of the ledger close. By minute 7 the past hour's minutes have settled and the minute job's
   * run at :05 has folded them, so the ledger books them as they stand instead of folding the hour
   * again (it does when they are not covered yet).
   */
  LEDGER_CRON: z.string().default("7 * * * *"),
  /**
   * A sample stands for the time until the next one, but at most this long: a rig that went
   * silent earns nothing and burns nothing in the books. Covers agents sampling up to every 60 s.
   */
  LEDGER_MAX_GAP_S: z.coerce.number().int().positive().default(120),
  /** On start, unbooked complete hours up to this far back are booked. */
  LEDGER_CATCH_UP_HOURS: z.coerce.number().int().min(0).max(24 * 31).default(48),
  /**
   * Cron of the minute rollup; each run folds the last ROLLUP_LOOKBACK_MINUTES minutes that have settled
   * (ended TELEMETRY_LATE_AFTER_MS + LEDGER_MAX_GAP_S + a minute ago: what lands later is marked late and
   * re-folded by rig), so with the lookback equal to the cron's period each minute is folded once. A fold
   * reads 2 minutes of samples on each side of its window (LEDGER_MAX_GAP_S): folding every minute read 9
   * minutes per minute of samples. Charts read raw samples past the newest folded minute, so they do not wait.
   */
  ROLLUP_MINUTE_CRON: z.string().default("*/5 * * * *"),
  ROLLUP_LOOKBACK_MINUTES: z.coerce.number().int().positive().max(24 * 60).default(5),
  /** Cron of the hour rollup; each run folds the last ROLLUP_LOOKBACK_HOURS hours that have settled (as minutes). */
  ROLLUP_HOUR_CRON: z.string().default("8 * * * *"),
  ROLLUP_LOOKBACK_HOURS: z.coerce.number().int().positive().max(24 * 7).default(1),
  /** Raw telemetry is kept this many days; older daily partitions are dropped. */
  TELEMETRY_RETENTION_DAYS: z.coerce.number().int().positive().default(7),
  /** Daily partitions are made this many days ahead of today. */
  TELEMETRY_PARTITIONS_AHEAD_DAYS: z.coerce.number().int().min(1).max(60).default(3),
  /** Cron of partition upkeep (also run at start). */
  TELEMETRY_RETENTION_CRON: z.string().default("15 * * * *"),
  /** How often the planner runs over the fleet; 0 turns the plan job off. */
  PLAN_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  /** A planner command expires if its GPUs have not all switched within this long. */
  PLAN_COMMAND_TTL_S: z.coerce.number().int().min(30).max(86_400).default(600),
  /** Recorded plans (one a minute, a decision per GPU) are kept this long. */
  PLAN_RETENTION_HOURS: z.coerce.number().int().positive().default(48),
  /** Per-model hashrate and power are learned from this many days of hour rollups; 0: the seeded table only. */
  PLAN_LEARN_DAYS: z.coerce.number().int().min(0).max(365).default(7),
  /** How often HTTP market sources (coins, FX, energy prices) are polled; 0 turns polling off. */
  MARKET_POLL_MS: z.coerce.number().int().min(0).default(300_000),
  /** How often external marketplaces' job feeds are polled; 0 turns polling off. */
  WORKLOAD_FEED_POLL_MS: z.coerce.number().int().min(0).default(60_000),
  /** An HTTP source that has not answered in this long counts as failed (and is retried). */
  SOURCE_FETCH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});
export type SchedulerConfig = z.infer<typeof ZSchedulerConfig>;
export const loadSchedulerConfig = (env: Record<string, string | undefined> = process.env) => parseEnv(ZSchedulerConfig, env);
