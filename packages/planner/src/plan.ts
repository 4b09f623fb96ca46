import { decideHashOrIdle } from "./hash-or-idle";
import { placePending } from "./place-workloads";
import { Stage, targetUsdPerHour, type PlanState } from "./plan-state";
import { resolvePolicy } from "./policy";
import { enforcePowerCaps } from "./power-cap";
import { keepOrReleaseRunning } from "./running-workloads";
import { bestWorkloadByVram, makeModelSiteScorer, startBlocker, type ModelSiteScore } from "./score-options";
import { sameTarget, targetKey, targetLabel } from "./target-key";
import type { Binding, GpuDecision, PlanInput, PlanResult, SwitchCommand, Target, WorkloadRequest } from "./types";

/**
 * Decide what every GPU does next. In order: pins and maintenance; running AI work (kept or
 * released); pending workloads by priority, then price; hashing or idling for the rest; then each
 * site's power cap. Pure: the same input (memory included) gives the same plan.
 */
export const plan = (input: PlanInput): PlanResult => {
  const policy = resolvePolicy(input.policy);
  const sites = new Map(input.sites.map((site) => [site.id, site]));
  const workloads = new Map(input.workloads.map((w) => [w.id, w]));
  const scoreFor = makeModelSiteScorer(input.models, input.coins, sites);
  const n = input.gpus.length;
  const s: PlanState = {
    policy,
    nowMs: input.nowMs,
    gpus: input.gpus,
    sites,
    workloads,
    score: input.gpus.map((g) => scoreFor(g.model, g.siteId)),
    site: input.gpus.map((g) => sites.get(g.siteId)!),
    stage: new Uint8Array(n),
    target: new Array<Target>(n),
    binding: new Array<Binding>(n),
    reason: new Array<string>(n),
    releasedWhy: new Array<string | null>(n).fill(null),
    previous: input.memory?.challengers ?? {},
    challengers: {},
    previousWorkloadWins: input.memory?.workloadWins ?? {},
    workloadWins: {},
    unplaced: [],
  };

  // Pins and maintenance first: nothing below may move them.
  const busyWorkloads = new Set<string>();
  input.gpus.forEach((g, i) => {
    if (g.current.mode === "AI") busyWorkloads.add(g.current.workloadId);
    if (g.maintenance) {
      s.stage[i] = Stage.FIXED;
      s.target[i] = g.current;
      s.binding[i] = "maintenance";
      s.reason[i] = "In maintenance: the planner neither moves it nor counts on it.";
    } else if (g.pin && g.pin.untilMs > input.nowMs) {
      s.stage[i] = Stage.FIXED;
      s.target[i] = g.pin.target;
      s.binding[i] = "pinned";
      s.reason[i] = `Pinned by an operator to ${targetLabel(g.pin.target)} until ${new Date(g.pin.untilMs).toISOString()}.`;
      if (g.pin.target.mode === "AI") busyWorkloads.add(g.pin.target.workloadId);
    }
  });

  keepOrReleaseRunning(s);

  const pending: WorkloadRequest[] = [];
  for (const w of input.workloads) {
    if (busyWorkloads.has(w.id)) continue;
    const blocked = startBlocker(w, input.nowMs);
    if (blocked) s.unplaced.push({ workloadId: w.id, reason: blocked });
    else if (w.remainingHours !== null && w.remainingHours <= 0) s.unplaced.push({ workloadId: w.id, reason: "has no work left" });
    else pending.push(w);
  }
  pending.sort((a, b) => b.priority - a.priority || b.usdPerGpuHour - a.usdPerGpuHour || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  placePending(s, pending);

  // What AI could earn for a GPU that got none: the best workload still waiting that its VRAM fits.
  const unplacedIds = new Set(s.unplaced.map((u) => u.workloadId));
  const bestWaiting = bestWorkloadByVram(
    pending.filter((w) => unplacedIds.has(w.id)),
    input.gpus.map((g) => g.vramGb),
  );
  const aiFor = (i: number) => bestWaiting.get(input.gpus[i]!.vramGb);
  decideHashOrIdle(s, aiFor);
  enforcePowerCaps(s);

  return buildResult(s, aiFor);
};

const buildResult = (s: PlanState, aiFor: (i: number) => WorkloadRequest | undefined): PlanResult => {
  const decisions: GpuDecision[] = new Array(s.gpus.length);
  const commands = new Map<string, SwitchCommand>();
  const placements = new Map<string, string[]>();
  // GPUs of one model at one site with the same AI option share one (read-only) options object:
  // 100,000 copies of the same few figures would only feed the garbage collector.
  const sharedOptions = new Map<ModelSiteScore, Map<string, GpuDecision["options"]>>();
  const optionsFor = (score: ModelSiteScore, w: WorkloadRequest | undefined): GpuDecision["options"] => {
    let perScore = sharedOptions.get(score);
    if (!perScore) sharedOptions.set(score, (perScore = new Map()));
    const key = w?.id ?? "";
    let options = perScore.get(key);
    if (!options) {
      options = { hash: score.hashOption, ai: w ? { workloadId: w.id, usdPerHour: w.usdPerGpuHour - score.aiEnergyUsdPerHour } : null, idleUsdPerHour: score.idleUsdPerHour };
      perScore.set(key, options);
    }
    return options;
  };
  for (let i = 0; i < s.gpus.length; i++) {
    const g = s.gpus[i]!;
    const score = s.score[i]!;
    const target = s.target[i]!;
    let options: GpuDecision["options"];
    if (target.mode === "AI") {
      const w = s.workloads.get(target.workloadId);
      options = w ? optionsFor(score, w) : { hash: score.hashOption, ai: { workloadId: target.workloadId, usdPerHour: targetUsdPerHour(s, i, target) }, idleUsdPerHour: score.idleUsdPerHour };
      const list = placements.get(target.workloadId);
      if (list) list.push(g.id);
      else placements.set(target.workloadId, [g.id]);
    } else options = optionsFor(score, aiFor(i));
    decisions[i] = {
      gpuId: g.id,
      current: g.current,
      target,
      options,
      binding: s.binding[i]!,
      reason: s.reason[i]!,
    };
    if (sameTarget(target, g.current)) continue;
    const key = targetKey(target);
    const cmd = commands.get(key);
    if (cmd) cmd.gpuIds.push(g.id);
    else commands.set(key, { gpuIds: [g.id], target, reason: s.reason[i]! });
  }
  for (const cmd of commands.values()) if (cmd.gpuIds.length > 1) cmd.reason = `${cmd.gpuIds.length} GPUs; first: ${cmd.reason}`;
  // A workload demoted by the power cap after placement runs nowhere; list each workload once.
  const seen = new Set(placements.keys());
  const unplaced: PlanResult["unplaced"] = [];
  for (const u of s.unplaced) {
    if (seen.has(u.workloadId)) continue;
    seen.add(u.workloadId);
    unplaced.push(u);
  }
  return {
    decisions,
    commands: [...commands.values()],
    placements: [...placements].map(([workloadId, gpuIds]) => ({ workloadId, gpuIds })),
    unplaced,
    memory: { challengers: s.challengers, workloadWins: s.workloadWins },
  };
};
