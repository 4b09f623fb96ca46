import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { coinUsdPerHsDay, Decimal, energyCostPerHour, hashingUsdPerHour } from "./index";

const d = (v: string | number) => new Decimal(v);
const REPO_ROOT = resolve(import.meta.dirname, "../../..");
const COINS_CSV = resolve(REPO_ROOT, "../shared/fixtures/market/coins_daily_2023-05_2023-06.csv");

/** One row of the Coin Metrics fixture, read in place, as name → raw string. */
const fixtureRow = (ts: string, coin: string): Record<string, string> => {
  const [header, ...lines] = readFileSync(COINS_CSV, "utf8").trim().split("\n");
  const names = header!.split(",");
  const line = lines.find((l) => l.startsWith(`${ts},${coin},`));
  if (!line) throw new Error(`no ${coin} row at ${ts} in ${COINS_CSV}`);
  const cells = line.split(",");
  return Object.fromEntries(names.map((n, i) => [n, cells[i] ?? ""]));
};

describe("coinUsdPerHsDay", () => {
  it("prices an RTX 3090 on ETC from price and difficulty, worked by hand", () => {
    // ETC in mid-2023: difficulty 1.536e15 hashes per block, 13 s blocks, 2.56 ETC per block, $19.20.
    // Network: 1.536e15 / 13 = 118.15 TH/s. Issuance: 86400 / 13 × 2.56 = 17,014.15 ETC/day.
    // USD per H/s per day = 17,014.15 × 19.20 / 118.15e12 = 86400 × 2.56 × 19.20 / 1.536e15
    //                     = 4,246,732.8 / 1.536e15 = 2.7648e-9 (the block time cancels).
    const usdPerHsDay = coinUsdPerHsDay({ priceUsd: d("19.20"), difficulty: d("1.536e15"), blockTimeS: d(13), blockReward: d("2.56") }, "etchash");
    expect(usdPerHsDay.toSignificantDigits(12).toString()).toBe("2.7648e-9");
    // A 3090 at 120 MH/s: 120e6 × 2.7648e-9 = $0.331776 a day = $0.013824 an hour.
    const gross = hashingUsdPerHour({ hs: d(120e6), usdPerHsDay: d("2.7648e-9") });
    expect(gross.toString()).toBe("0.013824");
    // It draws 290 W: 0.29 kWh an hour at $0.10 = $0.029, so at this price it hashes at a loss of $0.015176/h.
    const energy = energyCostPerHour({ watts: d(290), perKwh: d("0.10") });
    expect(energy.toString()).toBe("0.029");
    expect(gross.minus(energy).toString()).toBe("-0.015176");
  });

  it("agrees with a real day of ETC (network hashrate + issuance) and with the same day by difficulty", () => {
    const row = fixtureRow("2023-05-01T00:00:00Z", "ETC");
    // 2023-05-01: 16,956.48 ETC issued × $19.199386518679 = $325,554.0135 to the network that day;
    // / 119,009,887,380,000 H/s = 2.73552e-9 USD per H/s per day.
    const viaHashrate = coinUsdPerHsDay(
      { priceUsd: d(row.price_usd!), networkHashrateHs: d(row.network_hashrate_hs!), issuancePerDay: d(row.issuance_native_per_day!) },
      "etchash",
    );
    expect(viaHashrate.toSignificantDigits(6).toString()).toBe("2.73552e-9");
    // A 3090 (120 MH/s) that day: 120e6 × 2.73552e-9 / 24 = $0.0136776 an hour.
    expect(hashingUsdPerHour({ hs: d(120e6), usdPerHsDay: viaHashrate }).toSignificantDigits(6).toString()).toBe("0.0136776");
    // The same day by difficulty: 6,609 blocks → 13.0731 s each, difficulty = hashrate × block time,
    // reward = issuance / blocks. 86400 × R × P / D = I × P / H, so both routes must agree.
    const blocks = d(row.blocks_per_day!);
    const blockTimeS = d(86400).div(blocks);
    const viaDifficulty = coinUsdPerHsDay(
      { priceUsd: d(row.price_usd!), difficulty: d(row.network_hashrate_hs!).times(blockTimeS), blockTimeS, blockReward: d(row.issuance_native_per_day!).div(blocks), blocksPerDay: blocks },
      "etchash",
    );
    expect(viaDifficulty.toSignificantDigits(15).equals(viaHashrate.toSignificantDigits(15))).toBe(true);
  });

  it("turns Monero's difficulty into its hashrate with the 120 s block time (the fixture's own cross-check)", () => {
    const row = fixtureRow("2023-05-01T00:00:00Z", "XMR");
    const common = { priceUsd: d(row.price_usd!), issuancePerDay: d(row.issuance_native_per_day!) };
    const viaDifficulty = coinUsdPerHsDay({ ...common, difficulty: d(row.difficulty!), blockTimeS: d(120) }, "randomx");
    const viaHashrate = coinUsdPerHsDay({ ...common, networkHashrateHs: d(row.network_hashrate_hs!) }, "randomx");
    expect(viaDifficulty.toSignificantDigits(12).equals(viaHashrate.toSignificantDigits(12))).toBe(true);
  });

  it("counts 2^32 hashes per unit of difficulty for Bitcoin-style targets", () => {
    // difficulty 1 at 1 s blocks = 4,294,967,296 H/s; 1 coin a second at $1 = $86,400/day → 86400 / 2^32 per H/s.
    const v = coinUsdPerHsDay({ priceUsd: d(1), difficulty: d(1), blockTimeS: d(1), blockReward: d(1) }, "sha256d");
    expect(v.toString()).toBe(d(86400).div(d(2).pow(32)).toString());
  });

  it("names what is missing instead of guessing", () => {
    expect(() => coinUsdPerHsDay({ priceUsd: d(1), difficulty: d(1), blockTimeS: d(1), blockReward: d(1) }, "kheavyhash")).toThrow(/kheavyhash/);
    expect(() => coinUsdPerHsDay({ priceUsd: d(1), networkHashrateHs: d(1) }, "etchash")).toThrow(/issuancePerDay/);
    expect(() => coinUsdPerHsDay({ priceUsd: d(1), issuancePerDay: d(1) }, "etchash")).toThrow(/networkHashrateHs/);
    expect(() => coinUsdPerHsDay({ priceUsd: d(1), difficulty: d(1), issuancePerDay: d(1) }, "etchash")).toThrow(/blockTimeS/);
    expect(() => coinUsdPerHsDay({ priceUsd: d(1), networkHashrateHs: d(1), blockReward: d(1) }, "etchash")).toThrow(/blocksPerDay/);
  });
});
