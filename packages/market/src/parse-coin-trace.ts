import type { Decimal } from "@rigshift/economics";
import { byTime, optionalDecimal, optionalText, requiredTimestamp } from "./cells";
import { readCsvTable } from "./csv-table";
import { MarketTraceError } from "./trace-error";

/** One quote of a coin: its price and network figures at an instant (or for the day starting then). */
export type CoinQuoteRow = {
  at: Date;
  /** From a `coin` column, upper-cased; null when the file has none. */
  coin: string | null;
  priceUsd: Decimal | null;
  difficulty: Decimal | null;
  networkHashrateHs: Decimal | null;
  blockReward: Decimal | null;
  blockTimeS: Decimal | null;
  blocksPerDay: Decimal | null;
  issuancePerDay: Decimal | null;
  /** Given directly by a `ts,usd_per_hs_day` trace; otherwise null (economics derives it). */
  usdPerHsDay: Decimal | null;
  line: number;
};

export type ParseCoinTraceOptions = {
  /** Keep only this coin's rows of a file with a `coin` column (a file may hold several coins). */
  coin?: string;
  /** Named in errors. */
  file?: string;
};

/**
 * A coin trace: `ts,price_usd,difficulty`, `ts,usd_per_hs_day`, or the Coin Metrics-shaped daily
 * files (`ts,coin,price_usd,difficulty,network_hashrate_hs,block_reward,block_time_s,blocks_per_day,
 * issuance_native_per_day,…`). Extra columns are ignored and empty cells are null; rows come back in
 * time order.
 */
export const parseCoinTrace = (csv: string, opts: ParseCoinTraceOptions = {}): CoinQuoteRow[] => {
  const file = opts.file ?? "coin trace";
  const table = readCsvTable(csv, file);
  if (!table.columns.includes("ts")) throw new MarketTraceError(`a coin trace needs a ts column; the header has ${table.columns.join(", ")}`, { file, line: 1 });
  if (!table.columns.includes("price_usd") && !table.columns.includes("usd_per_hs_day")) {
    throw new MarketTraceError(`a coin trace needs price_usd (with difficulty or network hashrate) or usd_per_hs_day; the header has ${table.columns.join(", ")}`, { file, line: 1 });
  }
  const wanted = opts.coin?.toUpperCase() ?? null;
  const hasCoinColumn = table.columns.includes("coin");
  const rows: CoinQuoteRow[] = [];
  const coinsSeen = new Set<string>();
  for (const row of table.rows) {
    const coin = hasCoinColumn ? (optionalText(row, "coin")?.toUpperCase() ?? null) : null;
    if (coin) coinsSeen.add(coin);
    if (wanted && hasCoinColumn && coin !== wanted) continue;
    const quote: CoinQuoteRow = {
      at: requiredTimestamp(table, row, "ts"),
      coin,
      priceUsd: optionalDecimal(table, row, "price_usd"),
      difficulty: optionalDecimal(table, row, "difficulty"),
      networkHashrateHs: optionalDecimal(table, row, "network_hashrate_hs"),
      blockReward: optionalDecimal(table, row, "block_reward"),
      blockTimeS: optionalDecimal(table, row, "block_time_s"),
      blocksPerDay: optionalDecimal(table, row, "blocks_per_day"),
      issuancePerDay: optionalDecimal(table, row, "issuance_native_per_day") ?? optionalDecimal(table, row, "issuance_per_day"),
      usdPerHsDay: optionalDecimal(table, row, "usd_per_hs_day"),
      line: row.line,
    };
    if (!quote.priceUsd && !quote.usdPerHsDay) {
      throw new MarketTraceError("row has neither price_usd nor usd_per_hs_day", { file, line: row.line });
    }
    rows.push(quote);
  }
  if (!wanted && coinsSeen.size > 1) {
    throw new MarketTraceError(`the file holds several coins (${[...coinsSeen].join(", ")}): say which one`, { file });
  }
  if (rows.length === 0) {
    const which = wanted ? ` for coin ${wanted}${coinsSeen.size > 0 ? ` (the file has ${[...coinsSeen].join(", ")})` : ""}` : "";
    throw new MarketTraceError(`no quotes${which}`, { file });
  }
  return byTime(rows);
};
