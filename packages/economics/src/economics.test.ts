import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocateRounded, bookGpuHour, Decimal, localTime, parseDays, tariffPricePerKwh, type LedgerSample, type Tariff } from "./index";

const d = (v: string | number) => new Decimal(v);

describe("allocateRounded", () => {
  it("rounds a column so its parts add up to the rounded total", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -10_000_000, max: 10_000_000 }), { minLength: 1, maxLength: 40 }), (micro) => {
        const values = micro.map((m) => d(m).div(1_000_000));
        const rounded = allocateRounded(values, 2);
        const total = values.reduce((s, v) => s.plus(v), d(0)).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
        expect(rounded.reduce((s, v) => s.plus(v), d(0)).equals(total)).toBe(true);
        // No part moves by a cent or more from its exact value.
        rounded.forEach((r, i) => expect(r.minus(values[i]!).abs().lessThan(d("0.01"))).toBe(true));
        rounded.forEach((r) => expect(r.decimalPlaces()).toBeLessThanOrEqual(2));
      }),
    );
  });

  it("gives the leftover cent to the largest remainder", () => {
    expect(allocateRounded([d("0.012"), d("0.0175")], 2).map(String)).toEqual(["0.01", "0.02"]);
    expect(allocateRounded([d("0.3333"), d("0.3333"), d("0.3334")], 2).map(String)).toEqual(["0.33", "0.33", "0.34"]);
  });
});

describe("tariffs", () => {
  const tariff: Tariff = { basePerKwh: d("0.50"), windows: [{ days: "mon-fri", startMinute: 6 * 60, endMinute: 22 * 60, perKwh: d("1.10") }] };

  it("reads day ranges, including ones that wrap the week", () => {
    expect([...parseDays("mon-fri")]).toEqual([0, 1, 2, 3, 4]);
    expect([...parseDays("fri-mon")].sort()).toEqual([0, 4, 5, 6]);
    expect(parseDays("daily").size).toBe(7);
    expect(() => parseDays("funday")).toThrow(/unknown day range "funday"/);
  });

  it("prices an instant by the site's local time, across a DST change", () => {
    // 05:30 UTC on Monday 2026-03-30 is 07:30 in Stockholm (summer time): day price.
    expect(tariffPricePerKwh({ tariff, timezone: "Europe/Stockholm", at: new Date("2026-03-30T05:30:00Z") }).toString()).toBe("1.1");
    // The same UTC time a week earlier is 06:30 winter time: also day. 04:30 UTC then is 05:30: night.
    expect(tariffPricePerKwh({ tariff, timezone: "Europe/Stockholm", at: new Date("2026-03-23T04:30:00Z") }).toString()).toBe("0.5");
    // Saturday noon: base.
    expect(tariffPricePerKwh({ tariff, timezone: "Europe/Stockholm", at: new Date("2026-03-28T11:00:00Z") }).toString()).toBe("0.5");
    expect(localTime(new Date("2026-11-18T22:00:00Z"), "America/Chicago")).toEqual({ weekday: 2, minute: 16 * 60 });
  });
});

describe("bookGpuHour", () => {
  const hourStart = new Date("2026-11-18T10:00:00Z");
  const at = (s: number) => new Date(hourStart.getTime() + s * 1000);
  const base = {
    hourStart, maxGapS: 120, coinUsdPerHsDay: new Map([["ETC", d("0.000000012")]]), workloadUsdPerGpuHour: new Map([["w1", d("0.40")]]),
    tariff: { basePerKwh: d("1"), windows: [] }, timezone: "UTC", currency: "SEK", fxUsdPerUnit: d("0.1"),
  };
  const sample = (s: number, over: Partial<LedgerSample>): LedgerSample => ({ at: at(s), mode: "HASHING", coin: "ETC", workloadId: null, hashrateHs: 50e6, powerW: 100, ...over });

  it("counts a silent rig's gap only up to the maximum, and never past the hour", () => {
    // Two samples: at 0 s and at 3000 s. The first stands for 120 s, not 3000; the last for 120 s.
    const lines = bookGpuHour({ ...base, samples: [sample(0, {}), sample(3000, {})] });
    const hashing = lines.find((l) => l.kind === "HASHING_REVENUE")!;
    expect(hashing.minutes.toString()).toBe("4");
    expect(hashing.quantity.toString()).toBe(String(50e6 * 240));
    const late = bookGpuHour({ ...base, samples: [sample(3590, {})] });
    expect(late.find((l) => l.kind === "ENERGY_COST")!.minutes.toFixed(4)).toBe("0.1667");
  });

  it("books AI time at the workload's rate and leaves unknown power out of energy, not as zero watts", () => {
    const lines = bookGpuHour({
      ...base,
      samples: [sample(0, { mode: "AI", coin: null, workloadId: "w1", hashrateHs: null, powerW: null }), sample(60, { mode: "AI", coin: null, workloadId: "w1", powerW: 300 })],
    });
    // 60 s from the first sample to the second, then the second stands for the 120 s maximum.
    const ai = lines.find((l) => l.kind === "AI_REVENUE")!;
    expect(ai.amountUsd.toString()).toBe("0.02");
    const energy = lines.find((l) => l.kind === "ENERGY_COST")!;
    expect(energy.quantity.toString()).toBe(d(300).times(120).div(3_600_000).toString());
    expect(energy.amountUsd.equals(energy.amount.times("0.1"))).toBe(true);
  });
});
