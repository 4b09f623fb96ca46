import { Decimal } from "@rigshift/economics";
import type { PlanDecisionView, PlanTarget } from "@rigshift/protocol";

/**
 * How the dashboard words the planner's output. Money arrives as decimal strings (8 places) and
 * is only rounded here, for display; nothing is added up in floats.
 */

/** "0.12345678" → "0.123": a GPU-hour is worth cents, a tenth of a cent still orders the options. */
export const formatUsdPerHour = (usd: string) => new Decimal(usd).toDecimalPlaces(3, Decimal.ROUND_HALF_EVEN).toFixed(3);

/** A decimal string to `places` places, half-even, without going through a float. */
export const formatDecimal = (value: string, places: number) => new Decimal(value).toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN).toFixed(places);

export type WorkloadNames = ReadonlyMap<string, string>;

/** "Hash ETC", "AI · llama-3-8b-finetune", "Idle". */
export const describeTarget = (t: PlanTarget, workloads: WorkloadNames) => {
  if (t.mode === "IDLE") return "Idle";
  if (t.mode === "HASH") return `Hash ${t.coin}`;
  return `AI · ${workloads.get(t.workloadId) ?? `workload ${t.workloadId.slice(0, 8)}`}`;
};

/** The planner's binding rule as operators say it. */
export const BINDING_LABEL: Record<string, string> = {
  "best-option": "best option",
  "no-profit": "nothing pays",
  curtailed: "curtailed",
  "power-cap": "site power cap",
  vram: "VRAM too small",
  "same-rig": "same-rig rule",
  pinned: "pinned",
  maintenance: "maintenance",
  "min-dwell": "min dwell",
  "min-ai-run": "min AI run",
  "min-gain": "gain too small",
  confirming: "confirming",
};
export const bindingLabel = (binding: string) => BINDING_LABEL[binding] ?? binding;

/** Bindings that hold a GPU against the best option (shown in amber): the operator may want to know. */
export const HOLDING_BINDINGS = new Set(["pinned", "maintenance", "min-dwell", "min-ai-run", "min-gain", "confirming", "power-cap", "curtailed"]);

/**
 * Which of the three options the plan chose, to highlight it. None when the target is not the
 * option shown (a GPU kept on ETC because the gain is too small, while RVN is the best coin).
 */
export const chosenOption = (d: Pick<PlanDecisionView, "target" | "options">): "hash" | "ai" | "idle" | null => {
  const t = d.target;
  if (t.mode === "IDLE") return "idle";
  if (t.mode === "HASH") return d.options.hash?.coin === t.coin ? "hash" : null;
  return d.options.ai?.workloadId === t.workloadId ? "ai" : null;
};

export const decisionsByGpu = (decisions: readonly PlanDecisionView[] | undefined) => new Map((decisions ?? []).map((d) => [d.gpuId, d]));
