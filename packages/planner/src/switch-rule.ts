import type { Binding, Policy } from "./types";
import { capitalize, usdPerHour } from "./target-key";

export type Challenger = { key: string; wins: number };

export type SwitchQuestion = {
  policy: Policy;
  nowMs: number;
  /** When the GPU (the earliest of a group) entered its current mode. */
  sinceMs: number;
  current: { label: string; usdPerHour: number };
  candidate: { label: string; key: string; usdPerHour: number };
  idleUsdPerHour: number;
  /** One-off cost of the switch in USD (warm-up or lost AI work), spread over policy.amortizeHours. */
  switchCostUsd: number;
  /** GPUs deciding together (a multi-GPU workload): the $/h minimum gain scales with them. */
  gpus: number;
  previous: Challenger | undefined;
};

/** The minimum gain a switch needs, in USD per hour, from a mode earning `currentUsdPerHour`. */
export const minGain = (policy: Policy, currentUsdPerHour: number, gpus = 1): number =>
  Math.max(policy.minGainUsdPerHour * gpus, (policy.minGainPct / 100) * Math.abs(currentUsdPerHour));

/** Losing money, and idling alone would save at least the minimum gain: such a mode is left at once. */
export const losingMoney = (policy: Policy, currentUsdPerHour: number, idleUsdPerHour: number, gpus = 1): boolean =>
  currentUsdPerHour < 0 && idleUsdPerHour - currentUsdPerHour >= minGain(policy, currentUsdPerHour, gpus);

export type SwitchVerdict = { go: boolean; binding: Binding; reason: string; challenger: Challenger | null };

/**
 * The no-flapping rule: switch from the current mode to a better candidate only when the gain,
 * after the switch cost, clears both minimums, the GPU has dwelt long enough, and the candidate has
 * won `confirmPlans` plans in a row. A mode that is losing money, where idling would save at least
 * the minimum gain, is left at once: a farm does not keep burning money while it waits for confirmations.
 */
export const judgeSwitch = (q: SwitchQuestion): SwitchVerdict => {
  const { policy, current, candidate } = q;
  const cur = `${current.label} (${usdPerHour(current.usdPerHour)})`;
  const cand = `${candidate.label} (${usdPerHour(candidate.usdPerHour)})`;
  const toIdle = candidate.key === "IDLE";
  const gain = candidate.usdPerHour - q.switchCostUsd / policy.amortizeHours - current.usdPerHour;
  const needed = minGain(policy, current.usdPerHour, q.gpus);
  // Leave a losing mode now, but only when idling saves at least the minimum gain: otherwise a price
  // hovering at break-even would make the GPU leave and return every few minutes.
  if (losingMoney(policy, current.usdPerHour, q.idleUsdPerHour, q.gpus) && gain >= needed) {
    return {
      go: true,
      binding: toIdle ? "no-profit" : "best-option",
      reason: `${capitalize(current.label)} loses ${usdPerHour(-current.usdPerHour)} net of energy, worse than idling; switching to ${cand} now, without waiting for confirmations.`,
      challenger: null,
    };
  }
  if (gain < needed) {
    return {
      go: false,
      binding: "min-gain",
      reason: `${capitalize(cur)} stays: ${cand} would gain ${usdPerHour(gain)} after its switch cost, less than the ${usdPerHour(needed)} a switch needs.`,
      challenger: null,
    };
  }
  const wins = q.previous?.key === candidate.key ? q.previous.wins + 1 : 1;
  const dwellLeftMin = policy.minDwellMin - (q.nowMs - q.sinceMs) / 60_000;
  if (dwellLeftMin > 0) {
    return {
      go: false,
      binding: "min-dwell",
      reason: `${capitalize(cand)} beats ${cur}, but a GPU keeps a mode at least ${policy.minDwellMin} min (${Math.ceil(dwellLeftMin)} min left).`,
      challenger: { key: candidate.key, wins },
    };
  }
  if (wins < policy.confirmPlans) {
    return {
      go: false,
      binding: "confirming",
      reason: `${capitalize(cand)} beats ${cur}; switch waits for ${wins} of ${policy.confirmPlans} confirming plans.`,
      challenger: { key: candidate.key, wins },
    };
  }
  return {
    go: true,
    binding: toIdle ? "no-profit" : "best-option",
    reason: `${capitalize(cand)} beats ${cur} by ${usdPerHour(gain)} after its switch cost, confirmed by ${policy.confirmPlans} plans in a row.`,
    challenger: null,
  };
};
