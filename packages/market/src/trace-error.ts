/** A market trace that cannot be read: says which file, line and column, and why. */
export class MarketTraceError extends Error {
  readonly file: string;
  readonly line: number | null;
  readonly column: number | null;

  constructor(message: string, where: { file: string; line?: number | null; column?: number | null }) {
    const at = [where.file, where.line != null ? `line ${where.line}` : null, where.column != null ? `column ${where.column}` : null]
      .filter(Boolean)
      .join(", ");
    super(`${at}: ${message}`);
    this.name = "MarketTraceError";
    this.file = where.file;
    this.line = where.line ?? null;
    this.column = where.column ?? null;
  }
}
