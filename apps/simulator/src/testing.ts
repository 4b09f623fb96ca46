import { expect } from "vitest";
import type { Simulation } from "./simulate";
import { STRATEGIES } from "./simulate";

/**
 * The targets on one scenario: the policy nets more than always-hash and at least as much as
 * always-AI (equal to the cent when no hour pays for hashing and there is room for every workload:
 * then the best thing to do *is* always-AI, as on PJM Dominion in July 2025), earns
 * ≥ 95 % of hindsight (or, when hindsight nets ≤ 0, loses at most 5 % more), switches ≤ 4 times
 * per GPU per day; hindsight is never beaten; no strategy breaks a power cap.
 */
export const expectTargets = (sim: Simulation) => {
  const r = sim.results;
  const net = (name: (typeof STRATEGIES)[number]) => r[name].totals.netUsd;
  const figures = Object.fromEntries(STRATEGIES.map((n) => [n, net(n).toFixed(2)]));
  const label = `${sim.world.name}: ${JSON.stringify(figures)}`;
  expect(net("policy").gt(net("alwaysHash")), `policy beats always-hash — ${label}`).toBe(true);
  expect(net("policy").gte(net("alwaysAi")), `policy at least matches always-AI — ${label}`).toBe(true);
  for (const name of STRATEGIES) expect(net("hindsight").gte(net(name)), `hindsight ≥ ${name} — ${label}`).toBe(true);
  const h = net("hindsight");
  const floor = h.gt(0) ? h.times(0.95) : h.times(1.05);
  expect(net("policy").gte(floor), `policy ≥ 95 % of hindsight — ${label}`).toBe(true);
  expect(r.policy.totals.switchesPerGpuPerDay).toBeLessThanOrEqual(4);
  for (const name of STRATEGIES) expect(r[name].totals.capViolations, `${name} keeps under the power cap`).toBe(0);
};
