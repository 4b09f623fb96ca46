import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plan } from "./index";
import { applyPlan, MIN, syntheticFleet } from "./testing/fleet";
import type { PlanInput, PlanResult, Target } from "./types";

const key = (t: Target) => JSON.stringify(t.mode === "HASH" ? ["HASH", t.coin] : t.mode === "AI" ? ["AI", t.workloadId] : ["IDLE"]);

/** Board power of a GPU in a target, from the model table (not from the planner's own code). */
const watts = (input: PlanInput, gpuId: string, t: Target): number => {
  const g = input.gpus.find((x) => x.id === gpuId)!;
  const m = input.models.find((x) => x.model === g.model)!;
  if (t.mode === "IDLE") return m.idleW;
  if (t.mode === "AI") return m.aiW;
  const algo = input.coins.find((c) => c.coin === t.coin)!.algorithm;
  return m.hash.find((h) => h.algorithm === algo)?.w ?? m.aiW;
};

const checkInvariants = (input: PlanInput, r: PlanResult) => {
  const gpus = new Map(input.gpus.map((g) => [g.id, g]));
  const workloads = new Map(input.workloads.map((w) => [w.id, w]));
  // Every GPU gets exactly one decision.
  expect(r.decisions.map((d) => d.gpuId).sort()).toEqual([...gpus.keys()].sort());

  const fixed = (id: string) => {
    const g = gpus.get(id)!;
    return g.maintenance || (g.pin != null && g.pin.untilMs > input.nowMs);
  };
  for (const d of r.decisions) {
    const g = gpus.get(d.gpuId)!;
    if (g.maintenance) expect(d.target).toEqual(g.current);
    else if (g.pin && g.pin.untilMs > input.nowMs) expect(d.target).toEqual(g.pin.target);
    const site = input.sites.find((s) => s.id === g.siteId)!;
    // A curtailed site hashes nothing and starts no AI work of its own accord.
    if (site.curtailed && !fixed(d.gpuId)) {
      expect(d.target.mode).not.toBe("HASH");
      if (d.target.mode === "AI") expect(d.target).toEqual(g.current);
    }
  }

  // Placements match the decisions; new work gets its GPU count, VRAM and rig.
  const byWorkload = new Map<string, string[]>();
  for (const d of r.decisions) if (d.target.mode === "AI") byWorkload.set(d.target.workloadId, [...(byWorkload.get(d.target.workloadId) ?? []), d.gpuId]);
  expect(new Map(r.placements.map((p) => [p.workloadId, p.gpuIds.slice().sort()]))).toEqual(new Map([...byWorkload].map(([w, ids]) => [w, ids.sort()])));
  for (const [wid, ids] of byWorkload) {
    const w = workloads.get(wid)!;
    const started = ids.filter((id) => !fixed(id) && key(gpus.get(id)!.current) !== key({ mode: "AI", workloadId: wid }));
    if (started.length === 0) continue;
    expect(ids.length).toBe(w.gpus);
    for (const id of ids) expect(gpus.get(id)!.vramGb + 0.5).toBeGreaterThanOrEqual(w.minVramGb);
    if (w.sameRig) expect(new Set(ids.map((id) => gpus.get(id)!.rigId)).size).toBe(1);
    expect(r.unplaced.some((u) => u.workloadId === wid)).toBe(false);
  }

  // Commands: exactly the GPUs that change, each once, grouped by identical target.
  const changed = r.decisions.filter((d) => key(d.target) !== key(d.current)).map((d) => d.gpuId).sort();
  expect(r.commands.flatMap((c) => c.gpuIds).sort()).toEqual(changed);
  for (const c of r.commands) for (const id of c.gpuIds) expect(key(r.decisions.find((d) => d.gpuId === id)!.target)).toBe(key(c.target));
  expect(new Set(r.commands.map((c) => key(c.target))).size).toBe(r.commands.length);

  // Power: under the cap, unless what the planner may not move (pins, maintenance, AI work it kept)
  // plus everything else idling is over it already.
  for (const site of input.sites) {
    let total = 0;
    let floor = 0;
    for (const d of r.decisions) {
      const g = gpus.get(d.gpuId)!;
      if (g.siteId !== site.id) continue;
      const w = watts(input, d.gpuId, d.target);
      total += w;
      const keptAi = d.target.mode === "AI" && key(d.target) === key(g.current);
      floor += fixed(d.gpuId) || keptAi ? w : watts(input, d.gpuId, { mode: "IDLE" });
    }
    expect(total).toBeLessThanOrEqual(Math.max(site.powerCapKw * 1000, floor) + 1e-6);
  }
};

describe("plan invariants", () => {
  it("hold for random fleets, over several plans carried out in a row", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 4 }), (seed, gpus, workloads, sites) => {
        let input = syntheticFleet({ gpus, workloads, sites, seed });
        for (let k = 0; k < 4; k++) {
          const r = plan(input);
          checkInvariants(input, r);
          // Next plan: a few minutes on, the plan carried out, memory passed back.
          const nowMs = input.nowMs + 7 * MIN;
          input = { ...input, nowMs, gpus: applyPlan(input.gpus, r.decisions, input.nowMs), memory: r.memory };
        }
      }),
      { numRuns: 60 },
    );
    // Sixty fleets of up to 300 GPUs, four plans each: about a second here; room for a busy CI machine.
  }, 30_000);

  it("is deterministic: the same input gives the same plan", () => {
    const input = syntheticFleet({ gpus: 500, workloads: 60, seed: 3 });
    expect(plan(input)).toEqual(plan(structuredClone(input)));
  });
});
