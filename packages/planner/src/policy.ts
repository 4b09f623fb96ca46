import { z } from "zod";
import type { Policy } from "./types";

/**
 * Defaults for a farm planned about once a minute. Each is a policy setting an operator can change.
 */
export const DEFAULT_POLICY: Policy = {
  // 5 %: coin and energy quotes move by a few percent between polls; smaller gains are noise.
  minGainPct: 5,
  // One cent per GPU-hour: below that a switch is not worth a command, a log line and a warm-up.
  minGainUsdPerHour: 0.01,
  // Three plans (three minutes at the default cadence): one stale or spiking quote cannot move the farm.
  confirmPlans: 3,
  // 15 minutes: with the gain and confirmation rules this bounds a GPU to a few switches an hour at
  // worst, and in practice to a handful a day.
  minDwellMin: 15,
  // An hour: shorter runs are rarely worth a customer's job start-up (data loading, compilation).
  minAiRunMin: 60,
  allowAiPreemption: false,
  // Miners need a few minutes to build the DAG and for the pool to credit shares at full rate.
  hashWarmupMin: 5,
  // A job that checkpoints every 30 minutes loses 15 minutes of work on average when stopped.
  aiCheckpointMin: 15,
  // A switch usually lasts hours; spreading its cost over 2 h keeps small gains from paying for it.
  amortizeHours: 2,
};

/** Policy settings as an operator or a scenario file gives them: any subset, each checked. */
export const ZPolicy = z
  .object({
    minGainPct: z.number().min(0).max(1000),
    minGainUsdPerHour: z.number().min(0),
    confirmPlans: z.number().int().min(1).max(1000),
    minDwellMin: z.number().min(0),
    minAiRunMin: z.number().min(0),
    allowAiPreemption: z.boolean(),
    hashWarmupMin: z.number().min(0),
    aiCheckpointMin: z.number().min(0),
    amortizeHours: z.number().positive(),
  })
  .partial()
  .strict();

export const resolvePolicy = (policy?: Partial<Policy>): Policy => ({ ...DEFAULT_POLICY, ...policy });
