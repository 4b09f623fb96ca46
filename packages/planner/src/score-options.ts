import type { CoinMarket, GpuModelPerf, GpuSnapshot, PlanInput, SiteState, Target, WorkloadRequest } from "./types";

/** The best (or a given) coin for a model at a site: net $/h after its energy, and what it draws. */
export type HashScore = { coin: string; algorithm: string; usdPerHour: number; grossUsdPerHour: number; w: number };

/** What a GPU model can earn at a site's energy price; GPUs of one model at one site share it. */
export type ModelSiteScore = {
  best: HashScore | null;
  byCoin: Map<string, HashScore>;
  idleW: number;
  aiW: number;
  idleUsdPerHour: number;
  aiEnergyUsdPerHour: number;
  /** The best choice without AI work: the best coin, or idling when no coin pays more. */
  nonAi: { target: Target; usdPerHour: number; key: string };
  /** `best` as a decision shows it; one object shared by the GPUs of this model and site (read-only). */
  hashOption: { coin: string; algorithm: string; usdPerHour: number } | null;
};

/**
 * A GPU whose model is not in the table can still idle or run AI work (VRAM is reported by the
 * card), but its power is unknown: assume a large consumer card so the power cap errs on the safe side.
 */
export const UNKNOWN_MODEL_W = { idleW: 20, aiW: 350 } as const;

/**
 * Cards report a little less VRAM than they are sold with (24564 MiB for a "24 GB" 4090, 16368 for
 * a "16 GB" 6800): a workload asking for 24 GB fits a card within half a GB of that.
 */
export const VRAM_SLACK_GB = 0.5;
export const fitsVram = (gpuVramGb: number, minVramGb: number) => gpuVramGb + VRAM_SLACK_GB >= minVramGb;

/** Scores per (model, site), computed once per pair however many GPUs share it. */
export const makeModelSiteScorer = (models: readonly GpuModelPerf[], coins: readonly CoinMarket[], sites: ReadonlyMap<string, SiteState>) => {
  const modelByName = new Map(models.map((m) => [m.model, m]));
  const cache = new Map<string, Map<string, ModelSiteScore>>();
  return (model: string, siteId: string): ModelSiteScore => {
    let perSite = cache.get(model);
    if (!perSite) cache.set(model, (perSite = new Map()));
    const hit = perSite.get(siteId);
    if (hit) return hit;
    const site = sites.get(siteId);
    if (!site) throw new Error(`site "${siteId}" is not in the plan input`);
    const price = site.energyUsdPerKwh;
    const perf = modelByName.get(model);
    const idleW = perf?.idleW ?? UNKNOWN_MODEL_W.idleW;
    const aiW = perf?.aiW ?? UNKNOWN_MODEL_W.aiW;
    const byCoin = new Map<string, HashScore>();
    let best: HashScore | null = null;
    for (const coin of coins) {
      const algo = perf?.hash.find((h) => h.algorithm === coin.algorithm);
      if (!algo) continue;
      const grossUsdPerHour = (algo.hs * coin.usdPerHsDay) / 24;
      const score = { coin: coin.coin, algorithm: coin.algorithm, usdPerHour: grossUsdPerHour - (algo.w / 1000) * price, grossUsdPerHour, w: algo.w };
      byCoin.set(coin.coin, score);
      if (!best || score.usdPerHour > best.usdPerHour) best = score;
    }
    const idleUsdPerHour = -(idleW / 1000) * price;
    const nonAi: ModelSiteScore["nonAi"] =
      best && best.usdPerHour > idleUsdPerHour ? { target: { mode: "HASH", coin: best.coin, algorithm: best.algorithm }, usdPerHour: best.usdPerHour, key: `HASH:${best.coin}` } : { target: { mode: "IDLE" }, usdPerHour: idleUsdPerHour, key: "IDLE" };
    const hashOption = best && { coin: best.coin, algorithm: best.algorithm, usdPerHour: best.usdPerHour };
    const score: ModelSiteScore = { best, byCoin, idleW, aiW, idleUsdPerHour, aiEnergyUsdPerHour: (aiW / 1000) * price, nonAi, hashOption };
    perSite.set(siteId, score);
    return score;
  };
};

/** Whether a workload may start now: after its earliest start, and able to finish before its deadline. */
export const startBlocker = (w: WorkloadRequest, nowMs: number): string | null => {
  if (w.earliestStartMs != null && nowMs < w.earliestStartMs) return `waits for its earliest start at ${new Date(w.earliestStartMs).toISOString()}`;
  if (w.deadlineMs != null) {
    const endMs = nowMs + (w.remainingHours ?? 0) * 3_600_000;
    if (endMs > w.deadlineMs || nowMs >= w.deadlineMs) return `cannot finish before its deadline at ${new Date(w.deadlineMs).toISOString()}`;
  }
  return null;
};

/**
 * The best-paying workload each VRAM size fits, ignoring GPU counts and rigs: what a GPU "could
 * earn with AI" when shown beside its hashing and idle figures. O(workloads log workloads + sizes).
 */
export const bestWorkloadByVram = (workloads: readonly WorkloadRequest[], vramSizes: Iterable<number>): Map<number, WorkloadRequest> => {
  const byVram = [...workloads].sort((a, b) => a.minVramGb - b.minVramGb);
  const sizes = [...new Set(vramSizes)].sort((a, b) => a - b);
  const out = new Map<number, WorkloadRequest>();
  let best: WorkloadRequest | null = null;
  let i = 0;
  for (const size of sizes) {
    for (; i < byVram.length && fitsVram(size, byVram[i]!.minVramGb); i++) {
      const w = byVram[i]!;
      if (!best || w.usdPerGpuHour > best.usdPerGpuHour) best = w;
    }
    if (best) out.set(size, best);
  }
  return out;
};

export type GpuOptions = {
  gpuId: string;
  hash: { coin: string; algorithm: string; usdPerHour: number } | null;
  ai: { workloadId: string; usdPerHour: number } | null;
  idleUsdPerHour: number;
};

/**
 * Every GPU's options scored on their own, without placement or constraints: the best coin for its
 * model, the best-paying workload its VRAM fits, and idling, each net of energy. The planner's
 * first step, and the benchmark's baseline.
 */
export const scoreOptions = (input: Pick<PlanInput, "nowMs" | "gpus" | "models" | "coins" | "sites" | "workloads">): GpuOptions[] => {
  const sites = new Map(input.sites.map((s) => [s.id, s]));
  const score = makeModelSiteScorer(input.models, input.coins, sites);
  const startable = input.workloads.filter((w) => startBlocker(w, input.nowMs) === null);
  const bestAi = bestWorkloadByVram(startable, input.gpus.map((g) => g.vramGb));
  return input.gpus.map((g: GpuSnapshot) => {
    const s = score(g.model, g.siteId);
    const w = bestAi.get(g.vramGb);
    return {
      gpuId: g.id,
      hash: s.hashOption,
      ai: w ? { workloadId: w.id, usdPerHour: w.usdPerGpuHour - s.aiEnergyUsdPerHour } : null,
      idleUsdPerHour: s.idleUsdPerHour,
    };
  });
};
