import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "./load-scenario";
import { simulate } from "./simulate";
import { expectTargets } from "./testing";

const SCENARIOS = resolve(import.meta.dirname, "../scenarios");
const files = readdirSync(SCENARIOS).filter((f) => f.endsWith(".json"));

describe("shipped scenarios", () => {
  it("ships at least two scenarios", () => expect(files.length).toBeGreaterThanOrEqual(2));

  it.each(files)("%s meets the targets", (file) => {
    const sim = simulate(loadScenario(resolve(SCENARIOS, file)));
    expectTargets(sim);
    // Each scenario exercises both earners: something is hashed and some AI work is paid for.
    expect(sim.results.policy.totals.hashRevenueUsd.gt(0)).toBe(true);
    expect(sim.results.policy.totals.aiRevenueUsd.gt(0)).toBe(true);
    // Hashing pays for some hours in every shipped scenario, so the policy must strictly beat always-AI here.
    expect(sim.results.policy.totals.netUsd.gt(sim.results.alwaysAi.totals.netUsd)).toBe(true);
  }, 60_000);
});
