import type { Decimal } from "@rigshift/economics";
import type { GpuModelPerf, Policy } from "@rigshift/planner";

// A scenario read and priced for every step: what all strategies are replayed against. Prices per
// step are decimals (for the books) with a float copy (for scoring, as the planner does).

export type SiteWorld = {
  id: string;
  index: number;
  timezone: string;
  /** Currency energy is priced in (the trace's own currency column wins over the site's). */
  currency: string;
  capW: number;
  usdPerUnit: Decimal;
  /** Energy price per kWh in `currency`, and in USD (decimal and float), per step. */
  perKwh: Decimal[];
  usdPerKwh: Decimal[];
  usdPerKwhF: Float64Array;
  curtailed: boolean[];
};

export type CoinWorld = { coin: string; algorithm: string; index: number; usdPerHsDay: Decimal[]; usdPerHsDayF: Float64Array };

export type GpuWorld = {
  id: string;
  index: number;
  rigId: string;
  siteIndex: number;
  model: GpuModelPerf;
  /** The coins this GPU can hash (its model has their algorithm). */
  hash: { coinIndex: number; hs: number; w: number }[];
};

export type WorkloadWorld = {
  id: string;
  index: number;
  arrivalMs: number;
  /** First step whose start is at or after the arrival. */
  arrivalStep: number;
  gpus: number;
  minVramGb: number;
  /** Minutes of work (all its GPUs at once); Infinity when open-ended. */
  workMin: number;
  hours: number | null;
  usdPerGpuHour: Decimal;
  usdPerGpuHourF: number;
  sameRig: boolean;
  priority: number;
  /** Must finish by (the planner's deadline); null when none. */
  deadlineMs: number | null;
  /** Withdrawn from the queue if not started by then; null when it waits forever. */
  latestStartMs: number | null;
  checkpointMin: number;
};

export type World = {
  name: string;
  startMs: number;
  stepMs: number;
  stepMin: number;
  steps: number;
  hours: number;
  sites: SiteWorld[];
  coins: CoinWorld[];
  models: GpuModelPerf[];
  gpus: GpuWorld[];
  workloads: WorkloadWorld[];
  hashWarmupMin: number;
  aiCheckpointMin: number;
  policy: Partial<Policy>;
  /** Currencies priced with the built-in reference rate because the scenario gave none. */
  fxAssumed: Record<string, string>;
};

/**
 * What a GPU does in one step, as a small integer so month-long schedules of many GPUs stay cheap:
 * 0 idle, 1 + c hashing coin c, 1 + coins + w running workload w.
 */
export type Code = number;
export const IDLE: Code = 0;
export const hashCode = (world: World, coinIndex: number): Code => 1 + coinIndex;
export const aiCode = (world: World, workloadIndex: number): Code => 1 + world.coins.length + workloadIndex;
export const isHash = (world: World, code: Code) => code >= 1 && code <= world.coins.length;
export const isAi = (world: World, code: Code) => code > world.coins.length;
export const coinOf = (world: World, code: Code) => code - 1;
export const workloadOf = (world: World, code: Code) => code - 1 - world.coins.length;

/** A schedule: codes[step * gpus + gpu]. */
export type Schedule = Int32Array;
export const newSchedule = (world: World): Schedule => new Int32Array(world.steps * world.gpus.length);
export const stepStartMs = (world: World, step: number) => world.startMs + step * world.stepMs;
