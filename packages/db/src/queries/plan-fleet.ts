import type { PlanInput, PlannerMemory, PlanResult, Policy } from "@rigshift/planner";
import type { FleetSnapshot } from "./plan-input";

/**
 * Run the planner over a fleet snapshot. Sites with the same policy are planned together; sites
 * with their own overrides get their own run, one after another, and work placed by an earlier
 * run is not offered to a later one (work running on a site stays with that site's run). With no
 * overrides anywhere this is one call. `plan` is passed in so this module stays free of the
 * planner's implementation (and tests can count calls).
 */
export type PlanFn = (input: PlanInput) => PlanResult;

export type FleetPlan = PlanResult & {
  /** GPUs whose change the planner wants but which get no command now, and why. */
  heldBack: { gpuId: string; reason: string }[];
};

const policyKey = (p: Partial<Policy>) => JSON.stringify(Object.entries(p).sort(([a], [b]) => a.localeCompare(b)));

export const planFleet = (snapshot: FleetSnapshot, plan: PlanFn): FleetPlan => {
  const groups = new Map<string, { policy: Partial<Policy>; siteIds: Set<string> }>();
  for (const site of snapshot.sites) {
    const policy = snapshot.policyBySite.get(site.id) ?? {};
    const key = policyKey(policy);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { policy, siteIds: new Set() }));
    g.siteIds.add(site.id);
  }

  const runningIn = new Map<string, string>();
  for (const gpu of snapshot.gpus) if (gpu.current.mode === "AI") runningIn.set(gpu.current.workloadId, gpu.siteId);

  const out: FleetPlan = { decisions: [], commands: [], placements: [], unplaced: [], memory: { challengers: {}, workloadWins: {} }, heldBack: [] };
  const placed = new Set<string>();
  const unplacedById = new Map<string, string>();
  for (const { policy, siteIds } of groups.values()) {
    const gpus = snapshot.gpus.filter((g) => siteIds.has(g.siteId));
    const gpuIds = new Set(gpus.map((g) => g.id));
    const workloads = snapshot.workloads.filter((w) => {
      const site = runningIn.get(w.id);
      return site ? siteIds.has(site) : !placed.has(w.id);
    });
    const memory: PlannerMemory = {
      challengers: Object.fromEntries(Object.entries(snapshot.state.memory.challengers).filter(([id]) => gpuIds.has(id))),
      workloadWins: snapshot.state.memory.workloadWins ?? {},
    };
    const result = plan({
      nowMs: snapshot.nowMs,
      gpus,
      models: snapshot.models,
      coins: snapshot.coins,
      sites: snapshot.sites.filter((s) => siteIds.has(s.id)),
      workloads,
      policy,
      memory,
    });
    out.decisions.push(...result.decisions);
    out.commands.push(...result.commands);
    out.placements.push(...result.placements);
    for (const p of result.placements) {
      placed.add(p.workloadId);
      unplacedById.delete(p.workloadId);
    }
    for (const u of result.unplaced ?? []) if (!placed.has(u.workloadId)) unplacedById.set(u.workloadId, u.reason);
    Object.assign(out.memory.challengers, result.memory.challengers);
    Object.assign(out.memory.workloadWins!, result.memory.workloadWins ?? {});
  }
  out.unplaced = [...unplacedById].map(([workloadId, reason]) => ({ workloadId, reason }));

  // A GPU with a command on its way gets no second one: the plan after it lands decides again.
  const commands = [];
  for (const c of out.commands) {
    const gpuIds = c.gpuIds.filter((id) => {
      const commandId = snapshot.inFlight.get(id);
      if (commandId) out.heldBack.push({ gpuId: id, reason: `command ${commandId} is still in flight` });
      return !commandId;
    });
    if (gpuIds.length) commands.push({ ...c, gpuIds });
  }
  out.commands = commands;
  return out;
};
