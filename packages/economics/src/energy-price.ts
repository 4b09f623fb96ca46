import Decimal from "decimal.js";

/** Wholesale prices come per MWh; tariffs and the planner work per kWh. */
export const perKwhFromPerMwh = (perMwh: Decimal): Decimal => perMwh.div(1000);

/**
 * Step lookup in a time-sorted price series: the last point at or before `at` (a price holds until
 * the next one). Throws, naming the time, when `at` is before the first point: pricing energy with
 * a price from the future would be a silent error.
 */
export const priceAt = <T extends { at: Date }>(series: readonly T[], at: Date): T => {
  const t = at.getTime();
  let lo = 0;
  let hi = series.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (series[mid]!.at.getTime() <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) {
    const first = series[0]?.at.toISOString();
    throw new Error(`no price at or before ${at.toISOString()}: ${first ? `the series starts at ${first}` : "the series is empty"}`);
  }
  return series[found]!;
};
