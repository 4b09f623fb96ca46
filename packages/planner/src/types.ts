// The planner's contract: what the scheduler's plan job and the simulator hand it, and what
// it hands back. Pure data, no I/O. Scores are floats (USD per hour) for speed; every amount
// that is stored or shown is recomputed as a decimal by @rigshift/economics.
import type { GpuModelPerf } from "@rigshift/economics";

/** What one GPU does (or should do). */
export type Target =
  | { mode: "IDLE" }
  | { mode: "HASH"; coin: string; algorithm: string }
  | { mode: "AI"; workloadId: string };

/** Hashrate and board power of a GPU model per algorithm, learned from telemetry or seeded from
 * economics' GPU_MODEL_PERF table: { model, vramGb, idleW, aiW, hash: { algorithm, hs, w }[] }. */
export type { GpuModelPerf };

export type GpuSnapshot = {
  id: string;
  rigId: string;
  siteId: string;
  model: string;
  vramGb: number;
  /** What the GPU does now. A GPU that is offline is left out of the snapshot. */
  current: Target;
  /** When it entered `current` (epoch ms): dwell and minimum AI run are measured from here. */
  sinceMs: number;
  /** An operator pin: the planner keeps `pin.target` until `pin.untilMs`. */
  pin?: { target: Target; untilMs: number } | null;
  /** In maintenance: the planner neither moves it nor counts on it. */
  maintenance?: boolean;
};

/** A coin's value now, in USD per H/s per day (see economics' coinUsdPerHsDay). */
export type CoinMarket = { coin: string; algorithm: string; usdPerHsDay: number };

export type SiteState = {
  id: string;
  powerCapKw: number;
  /** Energy price now, already converted to USD per kWh. */
  energyUsdPerKwh: number;
  /** The site's curtailment rule says stop (see economics' curtailment rule): hashing stops, no new AI work starts; pinned GPUs keep their pin, and AI work already running stays while it beats idling. */
  curtailed: boolean;
};

export type WorkloadRequest = {
  id: string;
  gpus: number;
  minVramGb: number;
  sameRig: boolean;
  usdPerGpuHour: number;
  priority: number;
  /** Hours of work left; null when open-ended. */
  remainingHours: number | null;
  earliestStartMs?: number | null;
  deadlineMs?: number | null;
  /** Minutes of work lost when it is stopped (checkpoint time); overrides the policy's aiCheckpointMin. */
  checkpointMin?: number | null;
};

/** Policy settings; every field has a default (see DEFAULT_POLICY). */
export type Policy = {
  /** A switch must gain at least this share of the current option's $/h… */
  minGainPct: number;
  /** …and at least this many USD per hour, after its cost. */
  minGainUsdPerHour: number;
  /** A switch must win this many consecutive plans before it is made. */
  confirmPlans: number;
  /** A GPU keeps a mode at least this long. */
  minDwellMin: number;
  /** Running AI work is not pre-empted before it has run this long… */
  minAiRunMin: number;
  /** …unless this is true. */
  allowAiPreemption: boolean;
  /** Switch costs: hashing earns nothing while the miner warms up; stopping AI loses the work since its last checkpoint. */
  hashWarmupMin: number;
  aiCheckpointMin: number;
  /** The switch cost is spread over this many hours when comparing options. */
  amortizeHours: number;
};

/** Carried from one plan to the next (the no-flapping counters). Opaque to callers. */
export type PlannerMemory = {
  /** Per GPU: the challenger target (as a key) and how many consecutive plans it has won. */
  challengers: Record<string, { key: string; wins: number }>;
  /** Per pending workload: how many consecutive plans it has been worth starting on GPUs that are busy. */
  workloadWins?: Record<string, number>;
};

export type PlanInput = {
  nowMs: number;
  gpus: GpuSnapshot[];
  models: GpuModelPerf[];
  coins: CoinMarket[];
  sites: SiteState[];
  /** Pending and running workloads; running ones are those some GPU's `current` names. */
  workloads: WorkloadRequest[];
  policy?: Partial<Policy>;
  memory?: PlannerMemory;
};

/** The constraint or rule that decided a GPU's target. */
export type Binding =
  | "best-option"
  | "no-profit"
  | "curtailed"
  | "power-cap"
  | "vram"
  | "same-rig"
  | "pinned"
  | "maintenance"
  | "min-dwell"
  | "min-ai-run"
  | "min-gain"
  | "confirming";

export type GpuDecision = {
  gpuId: string;
  current: Target;
  target: Target;
  /** Expected USD per hour of each option, net of energy. */
  options: {
    hash: { coin: string; algorithm: string; usdPerHour: number } | null;
    ai: { workloadId: string; usdPerHour: number } | null;
    idleUsdPerHour: number;
  };
  binding: Binding;
  /** One sentence an operator can read: why this target. */
  reason: string;
};

export type SwitchCommand = { gpuIds: string[]; target: Target; reason: string };

export type PlanResult = {
  decisions: GpuDecision[];
  /** Only the GPUs whose target differs from `current`, grouped by target. */
  commands: SwitchCommand[];
  /** Where each workload runs after this plan (placed or kept). */
  placements: { workloadId: string; gpuIds: string[] }[];
  /** Startable-or-not workloads that run nowhere after this plan, each with why (for the queue view). */
  unplaced: { workloadId: string; reason: string }[];
  memory: PlannerMemory;
};
