/**
 * How a child's output reads in the `npm start` terminal: every line prefixed with the child's
 * name in its colour; pino JSON lines shortened to "LEVEL message key=value …" so six processes
 * interleaved stay readable. Anything that is not pino JSON is shown as it came.
 */

const RESET = "\x1b[0m";
const DIM = "\x1b[2m";
export const COLOURS = ["\x1b[36m", "\x1b[35m", "\x1b[33m", "\x1b[32m", "\x1b[34m", "\x1b[96m", "\x1b[95m", "\x1b[93m", "\x1b[92m"];

const LEVELS: Record<number, { name: string; colour: string }> = {
  10: { name: "TRACE", colour: DIM },
  20: { name: "DEBUG", colour: DIM },
  30: { name: "INFO ", colour: "" },
  40: { name: "WARN ", colour: "\x1b[33m" },
  50: { name: "ERROR", colour: "\x1b[31m" },
  60: { name: "FATAL", colour: "\x1b[41m" },
};

/** Fields every pino line has; the rest is what the line is about. */
const BOILERPLATE = new Set(["level", "time", "pid", "hostname", "msg", "v", "name"]);
const MAX_VALUE = 80;

const show = (value: unknown) => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
};

/** A pino line as "LEVEL message k=v …", or null when the line is not pino JSON. */
export const summarisePinoLine = (line: string, { colour = true } = {}): string | null => {
  if (!line.startsWith("{")) return null;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof entry.level !== "number" || !("msg" in entry || "err" in entry)) return null;
  const level = LEVELS[entry.level] ?? { name: String(entry.level).padEnd(5), colour: "" };
  const fields: string[] = [];
  let stack = "";
  for (const [key, value] of Object.entries(entry)) {
    if (BOILERPLATE.has(key) || value === undefined) continue;
    if (key === "err" && value && typeof value === "object") {
      const err = value as { message?: string; stack?: string };
      fields.push(`err=${show(err.message ?? value)}`);
      // An error's stack is what one needs to fix it: keep it, indented, below the line.
      if (entry.level >= 50 && err.stack) stack = `\n    ${err.stack.split("\n").slice(1, 6).map((l) => l.trim()).join("\n    ")}`;
      continue;
    }
    fields.push(`${key}=${show(value)}`);
  }
  const head = colour && level.colour ? `${level.colour}${level.name}${RESET}` : level.name;
  return [head, String(entry.msg ?? ""), ...fields].filter(Boolean).join(" ") + stack;
};

/** The orchestrator's own lines: bold, so they stand out among the children's. */
export const BOLD = "\x1b[1m";

/** One output line of a child, ready to print. */
export const formatChildLine = (
  name: string,
  line: string,
  { colourIndex = 0, colourCode, colour = true, width = 20 }: { colourIndex?: number; colourCode?: string; colour?: boolean; width?: number } = {},
) => {
  const label = name.padEnd(width);
  const code = colourCode ?? COLOURS[colourIndex % COLOURS.length];
  const prefix = colour ? `${code}${label}${RESET}${DIM}│${RESET} ` : `${label}│ `;
  return prefix + (summarisePinoLine(line, { colour }) ?? line);
};
