import { CsvError, parse } from "csv-parse/sync";
import { MarketTraceError } from "./trace-error";

/** One data row of a CSV file: its cells by column name, with where each came from. */
export type CsvRow = {
  line: number;
  /** Cell text by column name, trimmed; "" for an empty cell. */
  cells: Record<string, string>;
  /** 1-based column number of each column name, for error messages. */
  columnOf: Record<string, number>;
};

export type CsvTable = { file: string; columns: string[]; rows: CsvRow[] };

/**
 * Parse CSV text with a header line. Column names are lower-cased and trimmed so "Price_USD" and
 * "price_usd" read alike; a row with the wrong number of cells is an error naming its line.
 */
export const readCsvTable = (csv: string, file: string): CsvTable => {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info`, each record comes with the line it ends on, which every error below names.
    records = parse(csv, { bom: true, trim: true, skip_empty_lines: true, info: true }) as unknown as typeof records;
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines ?? null;
      throw new MarketTraceError(`not valid CSV: ${err.message}`, { file, line });
    }
    throw err;
  }
  const [header, ...data] = records;
  if (!header) throw new MarketTraceError("empty file: expected a header line", { file, line: 1 });
  const columns = header.record.map((c) => c.trim().toLowerCase());
  const columnOf: Record<string, number> = {};
  columns.forEach((c, i) => {
    if (c === "") return;
    if (c in columnOf) throw new MarketTraceError(`column "${c}" appears twice in the header`, { file, line: header.info.lines, column: i + 1 });
    columnOf[c] = i + 1;
  });
  const rows = data.map(({ record, info }) => {
    const cells: Record<string, string> = {};
    columns.forEach((c, i) => {
      if (c !== "") cells[c] = record[i] ?? "";
    });
    return { line: info.lines, cells, columnOf };
  });
  return { file, columns, rows };
};

/** Throws unless the table has every one of `names`, saying which are missing and what it has. */
export const requireColumns = (table: CsvTable, names: string[], what: string) => {
  const missing = names.filter((n) => !table.columns.includes(n));
  if (missing.length === 0) return;
  throw new MarketTraceError(`${what} needs column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; the header has ${table.columns.join(", ")}`, {
    file: table.file,
    line: 1,
  });
};
