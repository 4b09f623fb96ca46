import { alwaysAi } from "./strategies/always-ai";
import { alwaysHashSchedule } from "./strategies/always-hash";
import { bestStaticSchedule } from "./strategies/best-static";
import { hindsight } from "./strategies/hindsight";
import { policy } from "./strategies/policy";
import { scoreSchedule, type Totals } from "./replay";
import type { Schedule, World } from "./world";

export const STRATEGIES = ["policy", "alwaysHash", "alwaysAi", "bestStatic", "hindsight"] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export type Simulation = {
  world: World;
  results: Record<StrategyName, { schedule: Schedule; totals: Totals }>;
  /** Policy net / hindsight net; null when hindsight nets ≤ 0 (no ratio means anything then). */
  ratioToHindsight: number | null;
};

/** Replay a scenario under every strategy. */
export const simulate = (world: World): Simulation => {
  const withTotals = (schedule: Schedule) => ({ schedule, totals: scoreSchedule(world, schedule) });
  const policyRun = policy(world);
  const alwaysHash = withTotals(alwaysHashSchedule(world));
  const alwaysAiRun = alwaysAi(world);
  const bestStatic = withTotals(bestStaticSchedule(world));
  const hindsightRun = hindsight(world, [policyRun.schedule, alwaysAiRun.schedule]);
  const h = hindsightRun.totals.netUsd;
  return {
    world,
    results: { policy: policyRun, alwaysHash, alwaysAi: alwaysAiRun, bestStatic, hindsight: hindsightRun },
    ratioToHindsight: h.gt(0) ? policyRun.totals.netUsd.div(h).toDecimalPlaces(4).toNumber() : null,
  };
};
