import { Decimal } from "@rigshift/economics";
import { z } from "zod";
import type { CsvRow, CsvTable } from "./csv-table";
import { MarketTraceError } from "./trace-error";

// A plain decimal number, as trace files write them: "95.489998", "-1.08955", "4.5e13". No
// thousands separators or currency signs: those would be silently misread.
const ZDecimalText = z.string().regex(/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/, "expected a decimal number");
// ISO 8601 in UTC or with an offset ("2023-05-01T00:00:00Z", "…+02:00", fractional seconds), or a
// bare UTC date ("2023-05-01", as daily coin files write it).
const ZTimestampText = z.union([z.iso.datetime({ offset: true }), z.iso.date()], "expected an ISO 8601 timestamp such as 2023-05-01T00:00:00Z");

const fail = (table: CsvTable, row: CsvRow, column: string, message: string): never => {
  throw new MarketTraceError(`${column}: ${message}`, { file: table.file, line: row.line, column: row.columnOf[column] ?? null });
};

const cell = (row: CsvRow, column: string) => row.cells[column] ?? "";

/** The cell as a decimal; null when the column is absent or the cell is empty. */
export const optionalDecimal = (table: CsvTable, row: CsvRow, column: string): Decimal | null => {
  const text = cell(row, column);
  if (text === "") return null;
  const parsed = ZDecimalText.safeParse(text);
  if (!parsed.success) return fail(table, row, column, `expected a decimal number, got "${text}"`);
  return new Decimal(parsed.data);
};

export const requiredDecimal = (table: CsvTable, row: CsvRow, column: string): Decimal =>
  optionalDecimal(table, row, column) ?? fail(table, row, column, "empty cell, a number is required");

export const requiredTimestamp = (table: CsvTable, row: CsvRow, column: string): Date => {
  const text = cell(row, column);
  if (text === "") return fail(table, row, column, "empty cell, a timestamp is required");
  const parsed = ZTimestampText.safeParse(text);
  if (!parsed.success) return fail(table, row, column, `expected an ISO 8601 timestamp such as 2023-05-01T00:00:00Z, got "${text}"`);
  // A bare date is midnight UTC, as in the daily coin files ("start of the UTC day").
  return new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
};

export const optionalText = (row: CsvRow, column: string): string | null => {
  const text = cell(row, column);
  return text === "" ? null : text;
};

/** Rows in time order; the sort is stable so equal instants keep file order. */
export const byTime = <T extends { at: Date }>(rows: T[]): T[] => [...rows].sort((a, b) => a.at.getTime() - b.at.getTime());
