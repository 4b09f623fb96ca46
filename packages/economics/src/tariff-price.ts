import Decimal from "decimal.js";
import { localTime } from "./local-time";

export type TariffWindow = { days: string; startMinute: number; endMinute: number; perKwh: Decimal };
export type Tariff = { basePerKwh: Decimal; windows: TariffWindow[] };

const DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** "mon-fri", "sat-sun", "mon,wed,fri", "daily" → the set of weekdays (0 = Monday) it covers. */
export const parseDays = (days: string): Set<number> => {
  const out = new Set<number>();
  for (const part of days.toLowerCase().split(",").map((p) => p.trim())) {
    if (part === "daily" || part === "all") return new Set([0, 1, 2, 3, 4, 5, 6]);
    const [fromName = "", toName = fromName] = part.split("-");
    const from = DAY_NAMES.indexOf(fromName.trim());
    const to = DAY_NAMES.indexOf(toName.trim());
    if (from < 0 || to < 0) throw new Error(`unknown day range "${part}" (expected e.g. mon-fri, sat, daily)`);
    // A range may wrap the week: "fri-mon".
    for (let d = from; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === to) break;
    }
  }
  return out;
};

/** Energy price per kWh at an instant: the first window covering the site's local time, else the base. */
export const tariffPricePerKwh = ({ tariff, timezone, at }: { tariff: Tariff; timezone: string; at: Date }): Decimal => {
  const { weekday, minute } = localTime(at, timezone);
  const window = tariff.windows.find((w) => parseDays(w.days).has(weekday) && minute >= w.startMinute && minute < w.endMinute);
  return window ? window.perKwh : tariff.basePerKwh;
};
