import { Decimal } from "@rigshift/economics";
import type { Totals } from "./replay";
import { STRATEGIES, type Simulation, type StrategyName } from "./simulate";

// Money is rounded once, here, for display: 2 places, half to even (as the ledger's reports).
const usd = (x: Decimal) => x.toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2);

export type StrategyFigures = {
  netUsd: string;
  revenueUsd: string;
  energyCostUsd: string;
  aiRevenueUsd: string;
  hashRevenueUsd: string;
  switchesPerGpuPerDay: number;
  capViolations: number;
};

export type SimulationReport = {
  scenario: string;
  days: number;
  gpus: number;
  stepMinutes: number;
  ratioToHindsight: number | null;
  /** Currencies converted at the built-in reference rate (the scenario gave no fx for them). */
  fxAssumed?: Record<string, string>;
} & Record<StrategyName, StrategyFigures>;

export const strategyFigures = (t: Totals): StrategyFigures => ({
  netUsd: usd(t.netUsd),
  revenueUsd: usd(t.revenueUsd),
  energyCostUsd: usd(t.energyCostUsd),
  aiRevenueUsd: usd(t.aiRevenueUsd),
  hashRevenueUsd: usd(t.hashRevenueUsd),
  switchesPerGpuPerDay: Math.round(t.switchesPerGpuPerDay * 1000) / 1000,
  capViolations: t.capViolations,
});

export const buildReport = (sim: Simulation): SimulationReport => {
  const { world } = sim;
  const report = {
    scenario: world.name,
    days: Math.round((world.steps * world.stepMin * 1000) / 1440) / 1000,
    gpus: world.gpus.length,
    stepMinutes: world.stepMin,
    ...Object.fromEntries(STRATEGIES.map((name) => [name, strategyFigures(sim.results[name].totals)])),
    ratioToHindsight: sim.ratioToHindsight,
  } as SimulationReport;
  if (Object.keys(world.fxAssumed).length > 0) report.fxAssumed = world.fxAssumed;
  return report;
};

const LABELS: Record<StrategyName, string> = {
  policy: "policy",
  alwaysHash: "always hash",
  alwaysAi: "always AI",
  bestStatic: "best static",
  hindsight: "hindsight",
};

/** The human-readable table. */
export const formatReport = (r: SimulationReport): string => {
  const head = ["strategy", "net USD", "revenue USD", "energy USD", "AI USD", "hash USD", "switches/GPU/day"];
  const rows = STRATEGIES.map((name) => {
    const f = r[name];
    return [LABELS[name], f.netUsd, f.revenueUsd, f.energyCostUsd, f.aiRevenueUsd, f.hashRevenueUsd, f.switchesPerGpuPerDay.toFixed(2)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const ratio = r.ratioToHindsight === null ? "n/a (hindsight nets ≤ 0)" : `${(r.ratioToHindsight * 100).toFixed(1)} %`;
  const out = [
    `scenario ${r.scenario}: ${r.gpus} GPUs, ${r.days} days, ${r.stepMinutes}-minute steps`,
    "",
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    `policy / hindsight: ${ratio}`,
  ];
  if (r.fxAssumed) out.push(`reference FX rates assumed (USD per unit): ${Object.entries(r.fxAssumed).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  const violations = STRATEGIES.filter((n) => r[n].capViolations > 0);
  if (violations.length > 0) out.push(`power cap exceeded (site-steps): ${violations.map((n) => `${LABELS[n]} ${r[n].capViolations}`).join(", ")}`);
  return out.join("\n");
};
