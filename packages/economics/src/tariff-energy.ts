import Decimal from "decimal.js";
import { localTime } from "./local-time";
import { tariffPricePerKwh, type Tariff } from "./tariff-price";

const MINUTE_MS = 60_000;
// Every zone's DST change falls on a whole quarter-hour of UTC, so inside a quarter-hour the local
// clock runs straight and only a tariff window's edge can change the price.
const QUARTER_HOUR_MS = 15 * MINUTE_MS;

/**
 * Energy and its cost for a constant load between two instants under a time-of-use tariff keyed
 * in the site's local time. Exact, not sampled: the interval is cut at every window edge and
 * quarter-hour, so a 23- or 25-hour DST day costs what its local hours cost.
 */
export const energyCostBetween = ({ watts, tariff, timezone, from, to }: { watts: Decimal; tariff: Tariff; timezone: string; from: Date; to: Date }): { kwh: Decimal; cost: Decimal } => {
  const edges = [...new Set([...tariff.windows.flatMap((w) => [w.startMinute, w.endMinute]), 1440])].sort((a, b) => a - b);
  const end = to.getTime();
  let kwh = new Decimal(0);
  let cost = new Decimal(0);
  for (let t = from.getTime(); t < end; ) {
    const at = new Date(t);
    // Whole milliseconds throughout, so the cut points carry no float noise into the decimals.
    const localMs = localTime(at, timezone).minute * MINUTE_MS + (t % MINUTE_MS);
    const nextEdge = edges.find((e) => e * MINUTE_MS > localMs) ?? 1440;
    const next = Math.min(end, t + nextEdge * MINUTE_MS - localMs, (Math.floor(t / QUARTER_HOUR_MS) + 1) * QUARTER_HOUR_MS);
    const stepKwh = watts.times(next - t).div(1000 * 3_600_000);
    kwh = kwh.plus(stepKwh);
    cost = cost.plus(stepKwh.times(tariffPricePerKwh({ tariff, timezone, at })));
    t = next;
  }
  return { kwh, cost };
};
