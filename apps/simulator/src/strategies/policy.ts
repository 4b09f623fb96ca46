import { DEFAULT_POLICY, plan, type PlannerMemory, type Target, type WorkloadRequest } from "@rigshift/planner";
import { createReplay, type Totals } from "../replay";
import { IDLE, aiCode, coinOf, hashCode, isAi, isHash, newSchedule, stepStartMs, workloadOf, type Code, type Schedule, type World } from "../world";

/**
 * The policy: the scheduler's planner, called every step with what it would know then (current
 * prices, the queue so far, what each GPU does and since when), its memory carried between plans.
 */
export const policy = (world: World): { schedule: Schedule; totals: Totals } => {
  const G = world.gpus.length;
  const replay = createReplay(world);
  const schedule = newSchedule(world);
  const coinIndex = new Map(world.coins.map((c) => [c.coin, c.index]));
  const workloadIndex = new Map(world.workloads.map((w) => [w.id, w.index]));
  const targetOf = (code: Code): Target => {
    if (isHash(world, code)) {
      const coin = world.coins[coinOf(world, code)]!;
      return { mode: "HASH", coin: coin.coin, algorithm: coin.algorithm };
    }
    if (isAi(world, code)) return { mode: "AI", workloadId: world.workloads[workloadOf(world, code)]!.id };
    return { mode: "IDLE" };
  };
  const codeOf = (target: Target, gpuId: string): Code => {
    if (target.mode === "IDLE") return IDLE;
    if (target.mode === "HASH") {
      const c = coinIndex.get(target.coin);
      if (c === undefined) throw new Error(`planner chose unknown coin ${target.coin} for GPU ${gpuId}`);
      return hashCode(world, c);
    }
    const w = workloadIndex.get(target.workloadId);
    if (w === undefined) throw new Error(`planner chose unknown workload ${target.workloadId} for GPU ${gpuId}`);
    return aiCode(world, w);
  };
  const policySettings = {
    hashWarmupMin: world.hashWarmupMin,
    aiCheckpointMin: world.aiCheckpointMin,
    confirmPlans: confirmPlansForStep(world.stepMin),
    ...world.policy,
  };
  let memory: PlannerMemory | undefined;

  for (let s = 0; s < world.steps; s++) {
    const nowMs = stepStartMs(world, s);
    const workloads: WorkloadRequest[] = [];
    for (const wl of world.workloads) {
      if (!replay.isOpen(wl.index, s)) continue;
      workloads.push({
        id: wl.id, gpus: wl.gpus, minVramGb: wl.minVramGb, sameRig: wl.sameRig, usdPerGpuHour: wl.usdPerGpuHourF, priority: wl.priority,
        remainingHours: Number.isFinite(wl.workMin) ? (wl.workMin - replay.doneMin[wl.index]!) / 60 : null,
        earliestStartMs: wl.arrivalMs, deadlineMs: wl.deadlineMs, checkpointMin: wl.checkpointMin,
      });
    }
    const result = plan({
      nowMs,
      gpus: world.gpus.map((gpu, g) => ({
        id: gpu.id, rigId: gpu.rigId, siteId: world.sites[gpu.siteIndex]!.id, model: gpu.model.model, vramGb: gpu.model.vramGb,
        current: targetOf(replay.entering[g]!), sinceMs: replay.sinceMs[g]!,
      })),
      models: world.models,
      coins: world.coins.map((c) => ({ coin: c.coin, algorithm: c.algorithm, usdPerHsDay: c.usdPerHsDayF[s]! })),
      sites: world.sites.map((site) => ({ id: site.id, powerCapKw: site.capW / 1000, energyUsdPerKwh: site.usdPerKwhF[s]!, curtailed: site.curtailed[s]! })),
      workloads,
      policy: policySettings,
      memory,
    });
    memory = result.memory;
    const codes = schedule.subarray(s * G, (s + 1) * G);
    codes.set(replay.entering);
    const gpuIndex = new Map(world.gpus.map((g) => [g.id, g.index]));
    for (const d of result.decisions) codes[gpuIndex.get(d.gpuId)!] = codeOf(d.target, d.gpuId);
    replay.step(s, codes);
  }
  return { schedule, totals: replay.totals() };
};

/**
 * DEFAULT_POLICY's confirmPlans is meant as a time ("three plans: three minutes at the default
 * one-minute cadence"). A replay plans once a step, so unless the scenario sets it, keep that time:
 * one plan per step of three minutes or more, rather than three hours of waiting at hourly steps.
 */
export const confirmPlansForStep = (stepMin: number) => Math.max(1, Math.round((DEFAULT_POLICY.confirmPlans * 1) / stepMin));
