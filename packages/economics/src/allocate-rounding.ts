import Decimal from "decimal.js";

/**
 * Round a column of amounts so the rounded parts add up to the rounded total (largest
 * remainder): a report's lines then sum exactly to its total line, to the last cent.
 * Ties in the remainder go to the earlier line, so the result is deterministic.
 */
export const allocateRounded = (values: readonly Decimal[], places: number): Decimal[] => {
  const unit = new Decimal(1).div(new Decimal(10).pow(places));
  const exactTotal = values.reduce((sum, v) => sum.plus(v), new Decimal(0));
  const target = exactTotal.toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN);
  const floored = values.map((v) => v.toDecimalPlaces(places, Decimal.ROUND_FLOOR));
  let left = target.minus(floored.reduce((sum, v) => sum.plus(v), new Decimal(0))).div(unit).round().toNumber();
  const order = values
    .map((v, i) => ({ i, remainder: v.minus(floored[i]!) }))
    .sort((a, b) => b.remainder.comparedTo(a.remainder) || a.i - b.i);
  const out = [...floored];
  // `left` is within [0, n) for a floor; a negative one cannot arise, but guard the loop anyway.
  for (let k = 0; left > 0 && k < order.length; k++, left--) out[order[k]!.i] = out[order[k]!.i]!.plus(unit);
  return out;
};

/** Sum of decimals. */
export const sumDecimals = (values: readonly Decimal[]) => values.reduce((sum, v) => sum.plus(v), new Decimal(0));
