import type { Decimal } from "@rigshift/economics";
import { byTime, optionalText, requiredDecimal, requiredTimestamp } from "./cells";
import { readCsvTable, requireColumns } from "./csv-table";
import { MarketTraceError } from "./trace-error";

/** Energy price from `ts` until the next row. Negative prices are real (surplus wind and solar). */
export type EnergyPriceRow = { at: Date; pricePerMwh: Decimal; currency: string | null; line: number };

/** `ts,price_per_mwh[,currency,…]`, as wholesale day-ahead and real-time exports; extra columns are ignored. */
export const parseEnergyTrace = (csv: string, opts: { file?: string } = {}): EnergyPriceRow[] => {
  const file = opts.file ?? "energy trace";
  const table = readCsvTable(csv, file);
  requireColumns(table, ["ts", "price_per_mwh"], "an energy trace");
  const rows = table.rows.map((row) => ({
    at: requiredTimestamp(table, row, "ts"),
    pricePerMwh: requiredDecimal(table, row, "price_per_mwh"),
    currency: optionalText(row, "currency")?.toUpperCase() ?? null,
    line: row.line,
  }));
  if (rows.length === 0) throw new MarketTraceError("no prices", { file });
  const currencies = new Set(rows.map((r) => r.currency).filter((c) => c !== null));
  // One trace is one market: a file that mixes currencies would be priced in the wrong unit.
  if (currencies.size > 1) throw new MarketTraceError(`prices in several currencies (${[...currencies].join(", ")})`, { file });
  return byTime(rows);
};
