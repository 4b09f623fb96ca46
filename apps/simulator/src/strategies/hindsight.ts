import { bestHash, hashUsdPerHour, idleUsdPerHour } from "../option-values";
import { fitPowerCap } from "../power-cap";
import { scoreSchedule, type Totals } from "../replay";
import { IDLE, aiCode, hashCode, isAi, newSchedule, type Schedule, type World } from "../world";

/** AI cells fixed in advance: codes[step * gpus + gpu] is an AI code, or -1 where the GPU is free. */
type Placement = Int32Array;

/**
 * A plan that knows the whole future, under the same constraints (VRAM, one rig, power cap,
 * curtailment, switch costs). Workloads are placed first (greedily by value, each at the start and
 * on the GPUs that gain most over the run; the placements the other strategies found are tried
 * too), then every GPU's remaining steps are chosen by dynamic programming over idle and each coin
 * with the warm-up cost of every switch, hashing only where the site's cap leaves room.
 * The best of these plans by the books is returned.
 */
export const hindsight = (world: World, others: Schedule[]): { schedule: Schedule; totals: Totals } => {
  const placements = [greedyPlacement(world), ...others.map((o) => placementOf(world, o))];
  let best: { schedule: Schedule; totals: Totals } | null = null;
  for (const placement of placements) {
    const schedule = planAroundPlacement(world, placement);
    const totals = scoreSchedule(world, schedule);
    if (!best || totals.netUsd.gt(best.totals.netUsd)) best = { schedule, totals };
  }
  return best!;
};

const placementOf = (world: World, schedule: Schedule): Placement => schedule.map((code) => (isAi(world, code) ? code : -1));

/** Per GPU and step, the best it could do without AI: idle, or its best coin unless curtailed ($ per step). */
const bestWithoutAi = (world: World, g: number, s: number) => {
  const idle = idleUsdPerHour(world, g, s);
  const hash = world.sites[world.gpus[g]!.siteIndex]!.curtailed[s] ? null : bestHash(world, g, s);
  return Math.max(idle, hash?.usdPerHour ?? idle);
};

const greedyPlacement = (world: World): Placement => {
  const G = world.gpus.length;
  const T = world.steps;
  const stepH = world.stepMin / 60;
  const placement: Placement = new Int32Array(T * G).fill(-1);
  // prefix[g][s]: sum over steps < s of (energy cost of AI − best alternative), per step; a
  // workload's gain on g over [b, e) is its rate × hours + prefix[e] − prefix[b].
  const prefix = world.gpus.map((gpu, g) => {
    const p = new Float64Array(T + 1);
    for (let s = 0; s < T; s++) {
      const aiEnergy = (-gpu.model.aiW / 1000) * world.sites[gpu.siteIndex]!.usdPerKwhF[s]!;
      p[s + 1] = p[s]! + (aiEnergy - bestWithoutAi(world, g, s)) * stepH;
    }
    return p;
  });
  const busy = world.gpus.map(() => new Int32Array(T + 1)); // prefix count of placed steps
  const order = [...world.workloads].sort((a, b) => b.priority - a.priority || b.usdPerGpuHourF - a.usdPerGpuHourF);
  for (const wl of order) {
    const steps = Number.isFinite(wl.workMin) ? Math.ceil(wl.workMin / world.stepMin) : T;
    // The latest start: withdrawn after latestStart; must finish by the deadline.
    let lastStart = T - 1;
    if (wl.latestStartMs !== null) lastStart = Math.min(lastStart, Math.floor((wl.latestStartMs - world.startMs) / world.stepMs));
    if (wl.deadlineMs !== null) lastStart = Math.min(lastStart, Math.floor((wl.deadlineMs - wl.workMin * 60_000 - world.startMs) / world.stepMs));
    let best: { gain: number; b: number; e: number; gpus: number[] } | null = null;
    for (let b = wl.arrivalStep; b <= lastStart; b++) {
      const e = Math.min(T, b + steps);
      const candidates: { g: number; gain: number; rig: string }[] = [];
      for (let g = 0; g < G; g++) {
        const gpu = world.gpus[g]!;
        if (gpu.model.vramGb < wl.minVramGb || busy[g]![e]! - busy[g]![b]! > 0) continue;
        candidates.push({ g, gain: wl.usdPerGpuHourF * stepH * (e - b) + prefix[g]![e]! - prefix[g]![b]!, rig: gpu.rigId });
      }
      candidates.sort((x, y) => y.gain - x.gain);
      const groups = wl.sameRig ? [...new Set(candidates.map((c) => c.rig))].map((rig) => candidates.filter((c) => c.rig === rig)) : [candidates];
      for (const group of groups) {
        if (group.length < wl.gpus) continue;
        const chosen = group.slice(0, wl.gpus);
        const gain = chosen.reduce((sum, c) => sum + c.gain, 0);
        if (gain > 0 && (!best || gain > best.gain)) best = { gain, b, e, gpus: chosen.map((c) => c.g) };
      }
    }
    if (!best) continue;
    for (const g of best.gpus) {
      for (let s = best.b; s < best.e; s++) placement[s * G + g] = aiCode(world, wl.index);
      const count = busy[g]!;
      for (let s = 0; s < T; s++) count[s + 1] = count[s]! + (placement[s * G + g]! >= 0 ? 1 : 0);
    }
  }
  return placement;
};

/**
 * Fill every free cell by dynamic programming per GPU. Where a site's cap binds, hashing is
 * allowed at a step only to the GPUs that earn most per kW there (the set a cap-aware planner
 * would pick with perfect prices; ties keep fleet order, so the set is stable from step to step).
 */
const planAroundPlacement = (world: World, placement: Placement): Schedule => {
  const G = world.gpus.length;
  const T = world.steps;
  const mayHash = new Uint8Array(T * G);
  const codes = new Int32Array(G);
  for (let s = 0; s < T; s++) {
    for (let g = 0; g < G; g++) {
      const fixed = placement[s * G + g]!;
      const best = bestHash(world, g, s);
      codes[g] = fixed >= 0 ? fixed : best && !world.sites[world.gpus[g]!.siteIndex]!.curtailed[s] ? hashCode(world, best.coinIndex) : IDLE;
    }
    fitPowerCap(world, s, codes);
    for (let g = 0; g < G; g++) mayHash[s * G + g] = codes[g]! !== IDLE || placement[s * G + g]! >= 0 ? 1 : 0;
  }
  const schedule = newSchedule(world);
  for (let g = 0; g < G; g++) {
    const gpuCodes = dpGpu(world, placement, g, mayHash);
    for (let s = 0; s < T; s++) schedule[s * G + g] = gpuCodes[s]!;
  }
  for (let s = 0; s < T; s++) fitPowerCap(world, s, schedule.subarray(s * G, (s + 1) * G));
  return schedule;
};

/** The best sequence of idle / coin for one GPU around its fixed AI cells, with warm-up costs; floats. */
const dpGpu = (world: World, placement: Placement, g: number, mayHash: Uint8Array): Int32Array => {
  const G = world.gpus.length;
  const T = world.steps;
  const gpu = world.gpus[g]!;
  const stepH = world.stepMin / 60;
  const warmMin = Math.min(world.hashWarmupMin, world.stepMin);
  const curtailed = world.sites[gpu.siteIndex]!.curtailed;
  // States: 0 idle, 1..k the GPU's coins, k+1 "fixed AI cell".
  const k = gpu.hash.length;
  const S = k + 2;
  const AI = k + 1;
  const value = new Float64Array(S);
  const back = new Int8Array(T * S);
  let prev = new Float64Array(S).fill(Number.NEGATIVE_INFINITY);
  prev[0] = 0; // every GPU starts idle
  let cur = new Float64Array(S);
  for (let s = 0; s < T; s++) {
    const fixed = placement[s * G + g]!;
    cur.fill(Number.NEGATIVE_INFINITY);
    if (fixed >= 0) {
      let arg = 0;
      for (let p = 1; p < S; p++) if (prev[p]! > prev[arg]!) arg = p;
      cur[AI] = prev[arg]!;
      back[s * S + AI] = arg;
    } else {
      value[0] = idleUsdPerHour(world, g, s) * stepH;
      const hashAllowed = !curtailed[s] && mayHash[s * G + g] === 1;
      for (let o = 1; o <= k; o++) value[o] = hashAllowed ? hashUsdPerHour(world, g, gpu.hash[o - 1]!, s) * stepH : Number.NEGATIVE_INFINITY;
      for (let o = 0; o <= k; o++) {
        if (value[o] === Number.NEGATIVE_INFINITY) continue;
        const opt = o > 0 ? gpu.hash[o - 1]! : null;
        const warmLoss = opt ? (opt.hs * world.coins[opt.coinIndex]!.usdPerHsDayF[s]! * warmMin) / 1440 : 0;
        let bestV = Number.NEGATIVE_INFINITY;
        let arg = 0;
        for (let p = 0; p < S; p++) {
          const v = prev[p]! - (opt && p !== o ? warmLoss : 0);
          if (v > bestV) {
            bestV = v;
            arg = p;
          }
        }
        cur[o] = bestV + value[o]!;
        back[s * S + o] = arg;
      }
    }
    [prev, cur] = [cur, prev];
  }
  const codes = new Int32Array(T);
  let state = 0;
  for (let p = 1; p < S; p++) if (prev[p]! > prev[state]!) state = p;
  for (let s = T - 1; s >= 0; s--) {
    const fixed = placement[s * G + g]!;
    codes[s] = state === AI ? fixed : state === 0 ? IDLE : hashCode(world, gpu.hash[state - 1]!.coinIndex);
    state = back[s * S + state]!;
  }
  return codes;
};
