// Builders for planner tests and the planner benchmark: small hand-made fleets and a large
// synthetic one. Deterministic (a seeded generator, never Math.random), so a failure reproduces.
import { GPU_MODEL_PERF } from "@rigshift/economics";
import { targetKey } from "../target-key";
import type { CoinMarket, GpuSnapshot, PlanInput, SiteState, Target, WorkloadRequest } from "../types";

export const T0 = Date.parse("2026-03-02T12:00:00Z");
export const MIN = 60_000;
export const HOUR = 3_600_000;

export const IDLE: Target = { mode: "IDLE" };
export const hashing = (coin = "ETC", algorithm = "etchash"): Target => ({ mode: "HASH", coin, algorithm });
export const running = (workloadId: string): Target => ({ mode: "AI", workloadId });

export const RTX3090 = "NVIDIA GeForce RTX 3090";
export const RTX3060 = "NVIDIA GeForce RTX 3060";
export const RTX4090 = "NVIDIA GeForce RTX 4090";

export const gpu = (id: string, over: Partial<GpuSnapshot> = {}): GpuSnapshot => ({
  id,
  rigId: "rig-1",
  siteId: "site-1",
  model: RTX3090,
  vramGb: 24,
  current: IDLE,
  // Long enough ago that dwell and minimum runs are met unless a test says otherwise.
  sinceMs: T0 - 24 * HOUR,
  ...over,
});

export const site = (over: Partial<SiteState> = {}): SiteState => ({ id: "site-1", powerCapKw: 1000, energyUsdPerKwh: 0.05, curtailed: false, ...over });

export const workload = (id: string, over: Partial<WorkloadRequest> = {}): WorkloadRequest => ({
  id,
  gpus: 1,
  minVramGb: 16,
  sameRig: false,
  usdPerGpuHour: 0.5,
  priority: 0,
  remainingHours: 10,
  ...over,
});

/**
 * ETC at a USD per H/s per day that makes a 3090 (120 MH/s, 290 W) earn `netUsdPerHour` at
 * `energyUsdPerKwh`: gross = 120e6 × x / 24 = net + 0.29 × price.
 */
export const etcFor3090 = (netUsdPerHour: number, energyUsdPerKwh = 0.05): CoinMarket => ({
  coin: "ETC",
  algorithm: "etchash",
  usdPerHsDay: ((netUsdPerHour + 0.29 * energyUsdPerKwh) * 24) / 120e6,
});

export const baseInput = (over: Partial<PlanInput> = {}): PlanInput => ({
  nowMs: T0,
  gpus: [],
  models: [...GPU_MODEL_PERF],
  coins: [etcFor3090(0.1)],
  sites: [site()],
  workloads: [],
  ...over,
});

/** A small, fast, seeded generator (mulberry32). */
export const seededRandom = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/**
 * A farm of `gpus` GPUs, 8 per rig, one model per rig, spread over `sites` sites, with
 * `workloads` queued workloads and a share of GPUs already hashing, running AI, pinned or in
 * maintenance: the shape of a large fleet for the benchmark and for property tests.
 */
export const syntheticFleet = ({ gpus, workloads, sites = 8, seed = 1 }: { gpus: number; workloads: number; sites?: number; seed?: number }): PlanInput => {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const siteList: SiteState[] = Array.from({ length: sites }, (_, k) => ({
    id: `site-${k}`,
    // Caps between 40 % and 100 % of what the site would draw if everything hashed: some bind.
    powerCapKw: Math.round(((gpus / sites) * 0.25 * (0.4 + 0.6 * rand())) * 10) / 10,
    energyUsdPerKwh: 0.03 + 0.12 * rand(),
    curtailed: rand() < 0.1,
  }));
  const coins: CoinMarket[] = [
    { coin: "ETC", algorithm: "etchash", usdPerHsDay: 2.7e-9 * (0.8 + 0.6 * rand()) },
    { coin: "RVN", algorithm: "kawpow", usdPerHsDay: 6e-9 * (0.8 + 0.6 * rand()) },
    { coin: "ERG", algorithm: "autolykos2", usdPerHsDay: 1.5e-9 * (0.8 + 0.6 * rand()) },
  ];
  const wl: WorkloadRequest[] = Array.from({ length: workloads }, (_, k) => {
    const n = pick([1, 1, 1, 2, 4, 8]);
    return {
      id: `w${k}`,
      gpus: n,
      minVramGb: pick([8, 10, 12, 16, 24]),
      sameRig: n > 1 && rand() < 0.7,
      usdPerGpuHour: Math.round((0.05 + 0.6 * rand()) * 1000) / 1000,
      priority: pick([0, 0, 0, 1, 2]),
      remainingHours: rand() < 0.2 ? null : 1 + Math.floor(rand() * 48),
      earliestStartMs: rand() < 0.05 ? T0 + HOUR : null,
      deadlineMs: rand() < 0.05 ? T0 + 6 * HOUR : null,
      checkpointMin: null,
    };
  });
  const snapshot: GpuSnapshot[] = [];
  let runningId = 0;
  for (let r = 0; snapshot.length < gpus; r++) {
    const model = pick(GPU_MODEL_PERF);
    const siteId = siteList[r % sites]!.id;
    // A share of rigs run one workload across a few of their GPUs already.
    const runsWorkload = rand() < 0.1 && runningId < workloads ? wl[runningId++]! : null;
    for (let k = 0; k < 8 && snapshot.length < gpus; k++) {
      const roll = rand();
      let current: Target = roll < 0.5 ? { mode: "HASH", coin: "ETC", algorithm: "etchash" } : roll < 0.6 ? { mode: "HASH", coin: "ERG", algorithm: "autolykos2" } : IDLE;
      if (runsWorkload && k < runsWorkload.gpus) current = running(runsWorkload.id);
      snapshot.push({
        id: `gpu-${snapshot.length}`,
        rigId: `rig-${r}`,
        siteId,
        model: model.model,
        vramGb: model.vramGb,
        current,
        sinceMs: T0 - Math.floor(rand() * 6 * HOUR),
        pin: rand() < 0.01 ? { target: hashing(), untilMs: T0 + HOUR } : null,
        maintenance: rand() < 0.01,
      });
    }
  }
  return { nowMs: T0, gpus: snapshot, models: [...GPU_MODEL_PERF], coins, sites: siteList, workloads: wl };
};

/**
 * The fleet after a plan is carried out: every GPU whose target differs from its current mode
 * switches at `nowMs` (what the agents report back before the next plan).
 */
export const applyPlan = (gpus: readonly GpuSnapshot[], decisions: readonly { gpuId: string; target: Target }[], nowMs: number): GpuSnapshot[] => {
  const targets = new Map(decisions.map((d) => [d.gpuId, d.target]));
  return gpus.map((g) => {
    const t = targets.get(g.id) ?? g.current;
    return targetKey(t) === targetKey(g.current) ? g : { ...g, current: t, sinceMs: nowMs };
  });
};
