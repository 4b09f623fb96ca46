import type Decimal from "decimal.js";

/**
 * A site's curtailment rule: stop after `windowsAbove` consecutive price windows above the strike
 * (at once when a price reaches `immediatePerKwh`), resume after `windowsBelow` consecutive windows
 * at or below it. The two counts are the hysteresis that keeps a farm from cycling on every spike.
 */
export type CurtailmentRule = { strikePerKwh: Decimal; windowsAbove: number; windowsBelow: number; immediatePerKwh: Decimal | null };
export type CurtailmentState = { curtailed: boolean; above: number; below: number };

export const CURTAILMENT_START: CurtailmentState = { curtailed: false, above: 0, below: 0 };

/** Advance the rule by one price window. */
export const stepCurtailment = (rule: CurtailmentRule, state: CurtailmentState, pricePerKwh: Decimal): CurtailmentState => {
  const isAbove = pricePerKwh.gt(rule.strikePerKwh);
  const above = isAbove ? state.above + 1 : 0;
  const below = isAbove ? 0 : state.below + 1;
  if (!state.curtailed) {
    const immediate = rule.immediatePerKwh !== null && pricePerKwh.gte(rule.immediatePerKwh);
    // A count of 0 means "the first window": max(1, …) so a price below the strike never curtails.
    return { curtailed: immediate || (isAbove && above >= Math.max(1, rule.windowsAbove)), above, below };
  }
  return { curtailed: !(!isAbove && below >= Math.max(1, rule.windowsBelow)), above, below };
};
