import Decimal from "decimal.js";
import type { CoinSymbol } from "./demo-layout";
import type { Random } from "./random";

/**
 * Market history for the demo: hourly coin quotes and the SEK rate. A coin's expected revenue
 * per H/s per day is what a miner with that share of the network would earn:
 *   usdPerHsDay = coins issued per day × USD per coin ÷ network hashrate (H/s).
 * Starting figures are of the order of public network statistics in mid-2025; each hour moves
 * by a small random walk so charts and the ledger are not flat.
 */

/** Starting point of a coin's walk; the price is a decimal string like every amount of money. */
type CoinNetwork = { algorithm: string; priceUsd: string; networkHs: number; coinsPerDay: number };

export const COIN_NETWORKS: Record<CoinSymbol, CoinNetwork> = {
  // ~6,400 blocks a day at ~2.05 ETC each (with uncles), ~300 TH/s.
  ETC: { algorithm: "etchash", priceUsd: "17.5", networkHs: 300e12, coinsPerDay: 13_100 },
  // 1,440 blocks a day at 2,500 RVN, ~5.5 TH/s.
  RVN: { algorithm: "kawpow", priceUsd: "0.014", networkHs: 5.5e12, coinsPerDay: 3_600_000 },
  // 720 blocks a day at ~6 ERG to miners, ~18 TH/s.
  ERG: { algorithm: "autolykos2", priceUsd: "1.2", networkHs: 18e12, coinsPerDay: 4_320 },
};

/** USD per Swedish krona. */
export const SEK_USD = "0.095";

export const QUOTE_SOURCE = "demo-seed";

export type QuoteRow = {
  kind: "COIN" | "FX";
  symbol: string;
  algorithm: string | null;
  at: Date;
  priceUsd: string;
  usdPerHsDay: string | null;
  source: string;
};

const HOUR_MS = 3_600_000;

/** One quote per coin and one SEK rate per hour, for `hours` hours ending at the hour containing `now`. */
export const buildMarketQuotes = ({ now, hours, random }: { now: Date; hours: number; random: Random }): QuoteRow[] => {
  const lastHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const rows: QuoteRow[] = [];
  for (const [symbol, net] of Object.entries(COIN_NETWORKS)) {
    let price = new Decimal(net.priceUsd);
    let networkHs = net.networkHs;
    for (let h = hours - 1; h >= 0; h--) {
      price = price.times(1 + 0.008 * random.gaussian()).toDecimalPlaces(8);
      networkHs *= 1 + 0.004 * random.gaussian();
      rows.push({
        kind: "COIN",
        symbol,
        algorithm: net.algorithm,
        at: new Date(lastHour - h * HOUR_MS),
        priceUsd: price.toFixed(8),
        usdPerHsDay: price.times(net.coinsPerDay).div(Math.round(networkHs)).toSignificantDigits(12).toFixed(),
        source: QUOTE_SOURCE,
      });
    }
  }
  let sek = new Decimal(SEK_USD);
  for (let h = hours - 1; h >= 0; h--) {
    sek = sek.times(1 + 0.001 * random.gaussian()).toDecimalPlaces(6);
    rows.push({
      kind: "FX", symbol: "SEK", algorithm: null, at: new Date(lastHour - h * HOUR_MS),
      priceUsd: sek.toFixed(6), usdPerHsDay: null, source: QUOTE_SOURCE,
    });
  }
  return rows;
};
