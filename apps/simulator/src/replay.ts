import { Decimal } from "@rigshift/economics";
import { IDLE, coinOf, isAi, isHash, stepStartMs, workloadOf, type Code, type Schedule, type World } from "./world";

/** A schedule that breaks the scenario's physics (a workload on too few GPUs, hashing while curtailed…). */
export class ScheduleError extends Error {
  override name = "ScheduleError";
}

export type Totals = {
  netUsd: Decimal;
  revenueUsd: Decimal;
  energyCostUsd: Decimal;
  aiRevenueUsd: Decimal;
  hashRevenueUsd: Decimal;
  /** Changes of what a GPU does that the strategy made (a workload finishing is not one). */
  switches: number;
  switchesPerGpuPerDay: number;
  /** Steps × sites where the GPUs drew more than the site's power cap. */
  capViolations: number;
};

export type Replay = {
  /** What each GPU does entering step `step` (idle once its workload has finished). */
  entering: Int32Array;
  /** When each GPU entered what it does now (epoch ms). */
  sinceMs: Float64Array;
  /** Minutes of work done per workload, and whether it has finished / ever started. */
  doneMin: Float64Array;
  finished: Uint8Array;
  started: Uint8Array;
  /** May workload `w` run at step `step`: arrived, unfinished, before its deadline, and (if never started) not withdrawn. */
  isOpen: (w: number, step: number) => boolean;
  step: (step: number, codes: Int32Array) => void;
  totals: () => Totals;
};

/**
 * The books every strategy is judged by, one step at a time. Physics: a GPU draws idleW idle,
 * the algorithm's W hashing (earning nothing for hashWarmupMin after it starts a coin) and aiW
 * on AI work; a workload runs only on exactly its GPU count (one rig when it asks), and stopping
 * or moving it loses the work since its last checkpoint, which the customer does not pay for.
 * Money is decimal: physical quantities are summed per step, then priced once per site, coin and
 * workload; energy is bought in the site's currency and converted to USD.
 */
export const createReplay = (world: World): Replay => {
  const G = world.gpus.length;
  const W = world.workloads.length;
  const entering = new Int32Array(G).fill(IDLE);
  const sinceMs = new Float64Array(G).fill(world.startMs);
  const hashStartMs = new Float64Array(G);
  const doneMin = new Float64Array(W);
  const finished = new Uint8Array(W);
  const started = new Uint8Array(W);
  const runStartMs = new Float64Array(W);
  const runningGpus: (number[] | null)[] = new Array(W).fill(null);
  const warmupMs = world.hashWarmupMin * 60_000;
  let energyCostUsd = new Decimal(0);
  let hashRevenueUsd = new Decimal(0);
  let aiRevenueUsd = new Decimal(0);
  let switches = 0;
  let capViolations = 0;
  let next = 0;

  const isOpen = (w: number, step: number) => {
    const wl = world.workloads[w]!;
    if (finished[w] || wl.arrivalStep > step) return false;
    const t0 = stepStartMs(world, step);
    if (wl.deadlineMs !== null && t0 >= wl.deadlineMs) return false;
    return started[w] === 1 || wl.latestStartMs === null || t0 <= wl.latestStartMs;
  };

  const step = (s: number, codes: Int32Array) => {
    if (s !== next) throw new Error(`replay steps must come in order: expected ${next}, got ${s}`);
    next++;
    const t0 = stepStartMs(world, s);
    const t1 = t0 + world.stepMs;
    const at = new Date(t0).toISOString();
    const fail = (msg: string): never => {
      throw new ScheduleError(`step ${s} (${at}): ${msg}`);
    };

    // Which GPUs each workload has this step.
    const gang: number[][] = Array.from({ length: W }, () => []);
    for (let g = 0; g < G; g++) {
      const code = codes[g]!;
      const gpu = world.gpus[g]!;
      if (isHash(world, code)) {
        if (!gpu.hash.some((h) => h.coinIndex === coinOf(world, code))) fail(`GPU ${gpu.id} (${gpu.model.model}) cannot hash ${world.coins[coinOf(world, code)]?.coin}`);
        if (world.sites[gpu.siteIndex]!.curtailed[s]) fail(`GPU ${gpu.id} hashes while site ${world.sites[gpu.siteIndex]!.id} is curtailed`);
      } else if (isAi(world, code)) {
        const w = workloadOf(world, code);
        const wl = world.workloads[w];
        if (!wl) fail(`GPU ${gpu.id} has an unknown workload code ${code}`);
        if (!isOpen(w, s)) fail(`workload ${wl!.id} is not open (not arrived, finished or withdrawn)`);
        if (gpu.model.vramGb < wl!.minVramGb) fail(`workload ${wl!.id} needs ${wl!.minVramGb} GB VRAM, GPU ${gpu.id} has ${gpu.model.vramGb}`);
        gang[w]!.push(g);
      } else if (code !== IDLE) fail(`GPU ${gpu.id} has an unknown code ${code}`);
    }

    const paidGpuMin = new Float64Array(W);
    const aiMinOf = new Float64Array(G);
    for (let w = 0; w < W; w++) {
      const wl = world.workloads[w]!;
      const now = gang[w]!;
      const before = runningGpus[w] ?? null;
      if (now.length > 0 && now.length !== wl.gpus) fail(`workload ${wl.id} runs on ${now.length} GPU(s), it needs ${wl.gpus}`);
      if (now.length > 0 && wl.sameRig && new Set(now.map((g) => world.gpus[g]!.rigId)).size > 1) fail(`workload ${wl.id} must run on one rig`);
      const moved = before !== null && (now.length === 0 || now.some((g, i) => g !== before[i]));
      if (moved && !finished[w]) {
        // Stopped or moved: the work since the last checkpoint is lost and not paid for.
        const lost = Math.min(wl.checkpointMin, (t0 - runStartMs[w]!) / 60_000, doneMin[w]!);
        doneMin[w] = doneMin[w]! - lost;
        paidGpuMin[w] = paidGpuMin[w]! - lost * wl.gpus;
      }
      if (now.length === 0) {
        runningGpus[w] = null;
        continue;
      }
      if (before === null || moved) runStartMs[w] = t0;
      started[w] = 1;
      runningGpus[w] = now;
      const work = Math.min(world.stepMin, wl.workMin - doneMin[w]!);
      doneMin[w] = doneMin[w]! + work;
      paidGpuMin[w] = paidGpuMin[w]! + work * wl.gpus;
      for (const g of now) aiMinOf[g] = work;
      if (doneMin[w]! >= wl.workMin - 1e-9) finished[w] = 1;
    }

    const siteWattMin = new Float64Array(world.sites.length);
    const siteDrawW = new Float64Array(world.sites.length);
    const coinHsMin = new Float64Array(world.coins.length);
    for (let g = 0; g < G; g++) {
      const code = codes[g]!;
      const gpu = world.gpus[g]!;
      const model = gpu.model;
      if (code !== entering[g]) {
        switches++;
        sinceMs[g] = t0;
      }
      let wattMin: number;
      let drawW: number;
      if (isHash(world, code)) {
        const perf = gpu.hash.find((h) => h.coinIndex === coinOf(world, code))!;
        if (code !== entering[g]) hashStartMs[g] = t0;
        const productiveMin = Math.max(0, t1 - Math.max(t0, hashStartMs[g]! + warmupMs)) / 60_000;
        coinHsMin[coinOf(world, code)]! += perf.hs * productiveMin;
        wattMin = perf.w * world.stepMin;
        drawW = perf.w;
      } else if (isAi(world, code)) {
        const aiMin = aiMinOf[g]!;
        wattMin = model.aiW * aiMin + model.idleW * (world.stepMin - aiMin);
        drawW = model.aiW;
      } else {
        wattMin = model.idleW * world.stepMin;
        drawW = model.idleW;
      }
      siteWattMin[gpu.siteIndex]! += wattMin;
      siteDrawW[gpu.siteIndex]! += drawW;
      entering[g] = code;
      if (isAi(world, code) && finished[workloadOf(world, code)]) {
        // The workload is done: the GPU idles from the moment it finished until told otherwise.
        entering[g] = IDLE;
        sinceMs[g] = t0 + aiMinOf[g]! * 60_000;
      }
    }
    for (let w = 0; w < W; w++) if (finished[w]) runningGpus[w] = null;

    world.sites.forEach((site, i) => {
      if (siteDrawW[i]! > site.capW + 1e-6) capViolations++;
      if (siteWattMin[i] === 0) return;
      const kwh = new Decimal(siteWattMin[i]!).div(60_000);
      energyCostUsd = energyCostUsd.plus(kwh.times(site.perKwh[s]!).times(site.usdPerUnit));
    });
    world.coins.forEach((coin, c) => {
      if (coinHsMin[c] === 0) return;
      hashRevenueUsd = hashRevenueUsd.plus(new Decimal(coinHsMin[c]!).times(coin.usdPerHsDay[s]!).div(1440));
    });
    world.workloads.forEach((wl, w) => {
      if (paidGpuMin[w] === 0) return;
      aiRevenueUsd = aiRevenueUsd.plus(new Decimal(paidGpuMin[w]!).times(wl.usdPerGpuHour).div(60));
    });
  };

  const totals = (): Totals => {
    const revenueUsd = hashRevenueUsd.plus(aiRevenueUsd);
    const days = (next * world.stepMin) / 1440;
    return {
      netUsd: revenueUsd.minus(energyCostUsd), revenueUsd, energyCostUsd, aiRevenueUsd, hashRevenueUsd, switches,
      switchesPerGpuPerDay: G > 0 && days > 0 ? switches / G / days : 0, capViolations,
    };
  };

  return { entering, sinceMs, doneMin, finished, started, isOpen, step, totals };
};

/** Book a whole schedule. */
export const scoreSchedule = (world: World, schedule: Schedule): Totals => {
  const replay = createReplay(world);
  const G = world.gpus.length;
  for (let s = 0; s < world.steps; s++) replay.step(s, schedule.subarray(s * G, (s + 1) * G));
  return replay.totals();
};

export type { Code };
