import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Decimal } from "@rigshift/economics";
import { describe, expect, it } from "vitest";
import { MarketTraceError, parseCoinTrace, parseEnergyTrace, parseFxTrace, parseGpuHashrateTable, parseGpuRentalTrace } from "./index";

// Real traces, read in place (never copied into the project); figures checked against SOURCES.md.
const FIXTURES = resolve(import.meta.dirname, "../../../../shared/fixtures/market");
const fixture = (name: string) => readFileSync(resolve(FIXTURES, name), "utf8");

const errorOf = (fn: () => unknown): MarketTraceError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof MarketTraceError) return err;
    throw err;
  }
  throw new Error("expected a MarketTraceError");
};

describe("parseCoinTrace", () => {
  it("reads one coin of a Coin Metrics file that holds two, in time order, with its network figures", () => {
    const xmr = parseCoinTrace(fixture("coins_daily_2023-05_2023-06.csv"), { coin: "xmr" });
    expect(xmr).toHaveLength(61);
    expect(xmr.every((q) => q.coin === "XMR")).toBe(true);
    expect(xmr[0]!.at.toISOString()).toBe("2023-05-01T00:00:00.000Z");
    expect(xmr[60]!.at.toISOString()).toBe("2023-06-30T00:00:00.000Z");
    // XMR's hashrate is difficulty / 120 s in the source: both columns come through unrounded.
    expect(xmr[0]!.difficulty!.div(120).minus(xmr[0]!.networkHashrateHs!).abs().lt(1e-6)).toBe(true);
    expect(xmr[0]!.blockReward).toBeNull();
  });

  it("keeps ETC's empty difficulty as null and its issuance and block count as decimals", () => {
    const etc = parseCoinTrace(fixture("coins_daily_2022-09-02_2022-10-15.csv"), { coin: "ETC" });
    expect(etc).toHaveLength(44);
    const merge = etc.find((q) => q.at.toISOString().startsWith("2022-09-15"))!;
    expect(merge.blocksPerDay!.toString()).toBe("8454");
    expect(etc[0]!.difficulty).toBeNull();
    expect(etc[0]!.priceUsd!.toString()).toBe("32.4089923272643");
  });

  it("asks which coin when a file holds several and none is named", () => {
    const err = errorOf(() => parseCoinTrace(fixture("coins_daily_2023-05_2023-06.csv"), { file: "coins.csv" }));
    expect(err.message).toMatch(/coins\.csv.*several coins \(ETC, XMR\)/);
  });

  it("says which coins a file has when the one asked for is missing", () => {
    expect(errorOf(() => parseCoinTrace(fixture("coins_daily_etc_2025-07.csv"), { coin: "RVN" })).message).toMatch(/no quotes for coin RVN \(the file has ETC\)/);
  });

  it("reads the scenario forms ts,price_usd,difficulty and ts,usd_per_hs_day", () => {
    const byDifficulty = parseCoinTrace("ts,price_usd,difficulty\n2026-01-02T00:00:00Z,0.021,120000\n2026-01-01T00:00:00Z,0.02,100000\n");
    expect(byDifficulty.map((q) => q.priceUsd!.toString())).toEqual(["0.02", "0.021"]);
    const direct = parseCoinTrace("ts,usd_per_hs_day\n2026-01-01,1.5e-9\n");
    expect(direct[0]!.usdPerHsDay!.eq(new Decimal("1.5e-9"))).toBe(true);
    expect(direct[0]!.priceUsd).toBeNull();
  });

  it("names the file, line and column of a bad cell", () => {
    const err = errorOf(() => parseCoinTrace("ts,price_usd\n2026-01-01T00:00:00Z,1\n2026-01-01T01:00:00Z,$2\n", { file: "x.csv" }));
    expect([err.file, err.line, err.column]).toEqual(["x.csv", 3, 2]);
    expect(err.message).toContain('price_usd: expected a decimal number, got "$2"');
    expect(errorOf(() => parseCoinTrace("ts,price_usd\nyesterday,1\n")).message).toMatch(/line 2, column 1: ts: expected an ISO 8601/);
    expect(errorOf(() => parseCoinTrace("time,price\n2026-01-01,1\n")).message).toMatch(/needs a ts column; the header has time, price/);
  });
});

describe("parseEnergyTrace", () => {
  it("reads a Nord Pool day-ahead trace with its negative hours and currency", () => {
    const dk1 = parseEnergyTrace(fixture("electricity_nordpool_dk1_dayahead_hourly_2023-05_2023-06.csv"));
    expect(dk1).toHaveLength(1464);
    expect(dk1.filter((r) => r.pricePerMwh.isNegative())).toHaveLength(54);
    expect(Decimal.min(...dk1.map((r) => r.pricePerMwh)).toString()).toBe("-129.960007");
    expect(new Set(dk1.map((r) => r.currency))).toEqual(new Set(["EUR"]));
  });

  it("reads a PJM real-time trace with its spikes, verbatim", () => {
    const pjm = parseEnergyTrace(fixture("electricity_pjm_western_hub_rt_hourly_2025-05_2025-06.csv"));
    expect(pjm).toHaveLength(1464);
    expect(Decimal.max(...pjm.map((r) => r.pricePerMwh)).toString()).toBe("1903.826455");
    expect(pjm.filter((r) => r.pricePerMwh.gt(1000))).toHaveLength(4);
    expect(pjm[0]!.at.toISOString()).toBe("2025-05-01T04:00:00.000Z");
  });

  it("rejects a row with a cell too many, and a file mixing currencies", () => {
    expect(errorOf(() => parseEnergyTrace("ts,price_per_mwh\n2026-01-01T00:00:00Z,1,2\n")).line).toBe(2);
    expect(errorOf(() => parseEnergyTrace("ts,price_per_mwh,currency\n2026-01-01T00:00:00Z,1,EUR\n2026-01-01T01:00:00Z,1,DKK\n")).message).toMatch(/several currencies/);
    expect(errorOf(() => parseEnergyTrace("ts,price_per_mwh\n2026-01-01T00:00:00Z,\n")).message).toMatch(/line 2, column 2: price_per_mwh: empty cell/);
  });
});

describe("parseGpuRentalTrace and parseGpuHashrateTable", () => {
  it("keeps one GPU model's median rental price in time order", () => {
    const h100 = parseGpuRentalTrace(fixture("gpu_rental_datacenter_2025-10-19_2025-11-01.csv"), { gpuModel: "H100_80GB SXM5" });
    expect(h100.length).toBeGreaterThan(100);
    expect(h100.every((r) => r.gpuModel === "H100_80GB SXM5" && r.usdPerGpuHour.gt(0))).toBe(true);
    expect(h100.every((r, i) => i === 0 || r.at >= h100[i - 1]!.at)).toBe(true);
    expect(h100[0]!.at.toISOString()).toBe("2025-10-19T21:01:58.727Z");
  });

  it("reads hashrate in H/s and power in W per model and algorithm", () => {
    const rows = parseGpuHashrateTable(fixture("gpu_mining_hashrates_reference.csv"));
    const etchash3080 = rows.find((r) => r.gpuModel === "RTX 3080" && r.algorithm === "etchash")!;
    expect([etchash3080.hs, etchash3080.powerW]).toEqual([97878000, 224]);
    expect(rows.find((r) => r.gpuModel === "RX 570")!.vramGb).toBe(8);
  });
});

describe("parseFxTrace", () => {
  it("reads rates for several currencies in time order and rejects a zero rate with its line", () => {
    const rates = parseFxTrace("ts,currency,usd_per_unit\n2026-01-02T00:00:00Z,eur,1.09\n2026-01-01T00:00:00Z,DKK,0.146\n");
    expect(rates.map((r) => `${r.currency} ${r.usdPerUnit.toString()}`)).toEqual(["DKK 0.146", "EUR 1.09"]);
    expect(errorOf(() => parseFxTrace("ts,currency,usd_per_unit\n2026-01-01T00:00:00Z,EUR,0\n")).message).toMatch(/line 2, column 3: usd_per_unit: a rate must be positive/);
    expect(errorOf(() => parseFxTrace("ts,currency,usd_per_unit\n2026-01-01T00:00:00Z,euro,1\n")).column).toBe(2);
  });
});
