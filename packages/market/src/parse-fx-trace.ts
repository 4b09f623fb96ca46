import type { Decimal } from "@rigshift/economics";
import { byTime, optionalText, requiredDecimal, requiredTimestamp } from "./cells";
import { readCsvTable, requireColumns } from "./csv-table";
import { MarketTraceError } from "./trace-error";

/** USD per unit of a currency from `at` until its next rate. */
export type FxRateRow = { at: Date; currency: string; usdPerUnit: Decimal; line: number };

/** `ts,currency,usd_per_unit`: rates for one or several currencies; a rate must be positive. */
export const parseFxTrace = (csv: string, opts: { file?: string } = {}): FxRateRow[] => {
  const file = opts.file ?? "FX trace";
  const table = readCsvTable(csv, file);
  requireColumns(table, ["ts", "currency", "usd_per_unit"], "an FX trace");
  const rows = table.rows.map((row) => {
    const currency = optionalText(row, "currency")?.toUpperCase() ?? "";
    if (!/^[A-Z]{3}$/.test(currency)) throw new MarketTraceError(`currency: expected an ISO 4217 code such as EUR, got "${currency}"`, { file, line: row.line, column: row.columnOf.currency });
    const usdPerUnit = requiredDecimal(table, row, "usd_per_unit");
    if (!usdPerUnit.gt(0)) throw new MarketTraceError(`usd_per_unit: a rate must be positive, got ${usdPerUnit.toString()}`, { file, line: row.line, column: row.columnOf.usd_per_unit });
    return { at: requiredTimestamp(table, row, "ts"), currency, usdPerUnit, line: row.line };
  });
  if (rows.length === 0) throw new MarketTraceError("no rates", { file });
  return byTime(rows);
};
