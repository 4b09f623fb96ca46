import { describe, expect, it } from "vitest";
import { Decimal, energyCostBetween, perKwhFromPerMwh, priceAt, tariffPricePerKwh, type Tariff } from "./index";

const d = (v: string | number) => new Decimal(v);

describe("perKwhFromPerMwh and priceAt", () => {
  it("converts a wholesale price per MWh to per kWh, negative prices included", () => {
    expect(perKwhFromPerMwh(d("85.2")).toString()).toBe("0.0852");
    expect(perKwhFromPerMwh(d("-129.960007")).toString()).toBe("-0.129960007");
  });

  it("finds the price in force: the last point at or before the instant", () => {
    const series = ["2023-05-01T00:00:00Z", "2023-05-01T01:00:00Z", "2023-05-01T02:00:00Z"].map((t, i) => ({ at: new Date(t), perMwh: d(10 * (i + 1)) }));
    expect(priceAt(series, new Date("2023-05-01T00:00:00Z")).perMwh.toString()).toBe("10");
    expect(priceAt(series, new Date("2023-05-01T01:59:59Z")).perMwh.toString()).toBe("20");
    expect(priceAt(series, new Date("2023-05-01T02:00:00Z")).perMwh.toString()).toBe("30");
    expect(priceAt(series, new Date("2023-05-09T00:00:00Z")).perMwh.toString()).toBe("30");
    expect(() => priceAt(series, new Date("2023-04-30T23:00:00Z"))).toThrow(/2023-04-30T23:00:00.000Z.*starts at 2023-05-01T00:00:00.000Z/);
    expect(() => priceAt([], new Date("2023-04-30T23:00:00Z"))).toThrow(/empty/);
  });
});

describe("energy under a time-of-use tariff in local time", () => {
  it("splits a load across a window boundary in New York (UTC-5)", () => {
    const tariff: Tariff = { basePerKwh: d("0.08"), windows: [{ days: "mon-fri", startMinute: 7 * 60, endMinute: 22 * 60, perKwh: d("0.15") }] };
    const tz = "America/New_York";
    // Wednesday 2026-11-18, EST: the 07:00 peak starts at 12:00 UTC.
    expect(tariffPricePerKwh({ tariff, timezone: tz, at: new Date("2026-11-18T11:59:00Z") }).toString()).toBe("0.08");
    expect(tariffPricePerKwh({ tariff, timezone: tz, at: new Date("2026-11-18T12:00:00Z") }).toString()).toBe("0.15");
    // 1 kW from 06:30 to 07:30 local: 0.5 kWh × $0.08 + 0.5 kWh × $0.15 = $0.04 + $0.075 = $0.115.
    const r = energyCostBetween({ watts: d(1000), tariff, timezone: tz, from: new Date("2026-11-18T11:30:00Z"), to: new Date("2026-11-18T12:30:00Z") });
    expect(r.kwh.toString()).toBe("1");
    expect(r.cost.toString()).toBe("0.115");
  });

  it("splits at a half-hour offset too (Kolkata, UTC+5:30)", () => {
    const tariff: Tariff = { basePerKwh: d("4"), windows: [{ days: "daily", startMinute: 6 * 60, endMinute: 22 * 60, perKwh: d("9") }] };
    // 22:00 IST = 16:30 UTC. 300 W from 16:00 to 17:00 UTC: 0.15 kWh at 9 + 0.15 kWh at 4 = 1.35 + 0.6 = 1.95 INR.
    const r = energyCostBetween({ watts: d(300), tariff, timezone: "Asia/Kolkata", from: new Date("2026-11-18T16:00:00Z"), to: new Date("2026-11-18T17:00:00Z") });
    expect(r.cost.toString()).toBe("1.95");
  });

  describe("a DST change day in Oslo (day 07:00–22:00 at 1.10 NOK, nights 0.50)", () => {
    const tariff: Tariff = { basePerKwh: d("0.50"), windows: [{ days: "daily", startMinute: 7 * 60, endMinute: 22 * 60, perKwh: d("1.10") }] };
    const oslo = (from: string, to: string) => energyCostBetween({ watts: d(1000), tariff, timezone: "Europe/Oslo", from: new Date(from), to: new Date(to) });

    it("keys windows in local time: the day rate starts an hour earlier in UTC after the spring change", () => {
      // 05:30 UTC is 06:30 CET on Saturday 28 March (night) but 07:30 CEST on Sunday 29 March (day).
      expect(tariffPricePerKwh({ tariff, timezone: "Europe/Oslo", at: new Date("2026-03-28T05:30:00Z") }).toString()).toBe("0.5");
      expect(tariffPricePerKwh({ tariff, timezone: "Europe/Oslo", at: new Date("2026-03-29T05:30:00Z") }).toString()).toBe("1.1");
    });

    it("charges a 23-hour spring day its 15 day hours and 8 night hours", () => {
      // Local midnight to midnight, 28 Mar 23:00Z → 29 Mar 22:00Z: 23 h. 15 h × 1.10 + 8 h × 0.50 = 16.5 + 4.0 = 20.5.
      const r = oslo("2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z");
      expect(r.kwh.toString()).toBe("23");
      expect(r.cost.toString()).toBe("20.5");
      // 24 h from that midnight also takes 00:00–01:00 of 30 March at night rate: 20.5 + 0.5 = 21.0.
      expect(oslo("2026-03-28T23:00:00Z", "2026-03-29T23:00:00Z").cost.toString()).toBe("21");
    });

    it("charges a 25-hour autumn day its 15 day hours and 10 night hours", () => {
      // 24 Oct 22:00Z → 25 Oct 23:00Z: 25 h; 02:00–03:00 happens twice, at night. 16.5 + 10 × 0.50 = 21.5.
      const r = oslo("2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z");
      expect(r.kwh.toString()).toBe("25");
      expect(r.cost.toString()).toBe("21.5");
      // An ordinary day, for contrast: 15 × 1.10 + 9 × 0.50 = 21.0.
      expect(oslo("2026-10-26T23:00:00Z", "2026-10-27T23:00:00Z").cost.toString()).toBe("21");
    });
  });
});
