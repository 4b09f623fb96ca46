import type { ModelSiteScore } from "./score-options";
import type { Challenger } from "./switch-rule";
import type { Binding, GpuSnapshot, Policy, SiteState, Target, WorkloadRequest } from "./types";

/** Where a GPU stands while a plan is made. */
export const Stage = {
  /** Not decided yet. */
  OPEN: 0,
  /** Pinned or in maintenance: never moved, never counted on. */
  FIXED: 1,
  /** Keeps running its AI workload. */
  AI_KEPT: 2,
  /** Starts an AI workload in this plan. */
  AI_NEW: 3,
  /** Hashing or idling, decided. */
  DECIDED: 4,
  /** Held for a workload still confirming: keeps its current target, not offered to others. */
  RESERVED: 5,
} as const;

/** One plan's working state, one slot per GPU (arrays, not objects: 100,000 GPUs in well under a second). */
export type PlanState = {
  policy: Policy;
  nowMs: number;
  gpus: readonly GpuSnapshot[];
  sites: ReadonlyMap<string, SiteState>;
  workloads: ReadonlyMap<string, WorkloadRequest>;
  score: ModelSiteScore[];
  site: SiteState[];
  stage: Uint8Array;
  target: Target[];
  binding: Binding[];
  reason: string[];
  /** Set when the GPU's current AI work ends or is given up in this plan: it leaves AI at once. */
  releasedWhy: (string | null)[];
  previous: Readonly<Record<string, Challenger>>;
  challengers: Record<string, Challenger>;
  previousWorkloadWins: Readonly<Record<string, number>>;
  workloadWins: Record<string, number>;
  unplaced: { workloadId: string; reason: string }[];
};

/** Net $/h of what the GPU does now, or null when that can no longer be scored (coin without a quote, workload gone). */
export const currentUsdPerHour = (s: PlanState, i: number): number | null => {
  if (s.releasedWhy[i] !== null) return null;
  const cur = s.gpus[i]!.current;
  const score = s.score[i]!;
  if (cur.mode === "IDLE") return score.idleUsdPerHour;
  if (cur.mode === "HASH") return score.byCoin.get(cur.coin)?.usdPerHour ?? null;
  const w = s.workloads.get(cur.workloadId);
  return w ? w.usdPerGpuHour - score.aiEnergyUsdPerHour : null;
};

/** The best the GPU can do without AI work: its best coin, or idling when no coin pays more. */
export const bestNonAi = (s: PlanState, i: number): ModelSiteScore["nonAi"] => s.score[i]!.nonAi;

/** Board power of a GPU in a target, W. */
export const powerW = (s: PlanState, i: number, t: Target): number => {
  const score = s.score[i]!;
  if (t.mode === "IDLE") return score.idleW;
  if (t.mode === "AI") return score.aiW;
  // A pin to a coin the model has no figures for: assume the AI (near power-limit) draw.
  return score.byCoin.get(t.coin)?.w ?? score.aiW;
};

/** Net $/h of a GPU in a target (a workload no longer known earns nothing). */
export const targetUsdPerHour = (s: PlanState, i: number, t: Target): number => {
  const score = s.score[i]!;
  if (t.mode === "IDLE") return score.idleUsdPerHour;
  if (t.mode === "HASH") return score.byCoin.get(t.coin)?.usdPerHour ?? -(powerW(s, i, t) / 1000) * s.site[i]!.energyUsdPerKwh;
  const w = s.workloads.get(t.workloadId);
  return (w?.usdPerGpuHour ?? 0) - score.aiEnergyUsdPerHour;
};
