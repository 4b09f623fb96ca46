/** A plain-text table for a terminal or a CI log: numbers right-aligned, text left-aligned. */
export const formatTable = (header: readonly string[], rows: readonly (readonly (string | number)[])[]): string => {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number"));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n") + "\n";
};

/** Round for display and JSON: enough digits to compare runs, no float noise. */
export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
