import { MinerApiError } from "./miner-stats";

/**
 * Tolerant readers for miner JSON. Miner APIs change shape between versions (a key renamed, a number
 * printed as a string), so drivers read fields one by one and turn anything unusable into null.
 */

export type Json = Record<string, unknown>;

export const record = (x: unknown): Json | null => (typeof x === "object" && x !== null && !Array.isArray(x) ? (x as Json) : null);

export const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** A number, or a numeric string ("13581.93" in cgminer's `GHS 5s`); anything else is null. */
export const num = (x: unknown): number | null => {
  if (typeof x === "number") return Number.isFinite(x) ? x : null;
  if (typeof x === "string" && x.trim() !== "") {
    const n = Number(x);
    return Number.isFinite(n) ? n : null;
  }
  return null;
};

export const text = (x: unknown): string | null => (typeof x === "string" && x.trim() !== "" ? x : null);

/** A share counter or uptime: a non-negative integer. */
export const count = (x: unknown): number | null => {
  const n = num(x);
  return n !== null && n >= 0 ? Math.round(n) : null;
};

/**
 * A temperature or power reading. Miners print 0 (lolMiner `Mem_Temp`, GMiner `power_usage`, XMRig
 * `health.power` on laptops) or -1 (NBMiner `memTemperature`) when the sensor cannot be read; a GPU
 * that is hashing never sits at 0 C or 0 W, so those become null instead of a fake reading.
 */
export const sensor = (x: unknown): number | null => {
  const n = num(x);
  return n !== null && n > 0 ? n : null;
};

/** A fan duty in percent; 0 is a real reading (fans stop on cool cards), negatives are "n/a". */
export const percent = (x: unknown): number | null => {
  const n = num(x);
  return n !== null && n >= 0 && n <= 100 ? n : null;
};

/** value × factor in H/s, rounded to 1/1000 H/s so 27.43 MH/s prints 27430000, not 27430000.000000004. */
export const toHs = (value: number | null, factor: number): number | null =>
  value === null ? null : Math.round(value * factor * 1000) / 1000;

/**
 * H/s per unit for unit strings as miners print them: "mh\/s", "Mh/s", "Sol/s", "G/s", "KH/s", "H".
 * "G/s" is graphs per second (Cuckoo), not giga: only a prefix followed by h or sol scales.
 */
export const hashrateUnitFactor = (unit: string | null): number => {
  if (unit === null) return 1;
  const base = unit.trim().toLowerCase().replace(/\\\//g, "/").replace(/\/s$/, "");
  const m = /^([kmgtp]?)(h|sol)$/.exec(base);
  if (!m) return 1;
  return { "": 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 }[m[1] as "" | "k" | "m" | "g" | "t" | "p"];
};

// The shared PCI normaliser (hardware/pci.ts) did not exist yet when this was written; these two
// parsers only extract the bus number, which is all a miner reports reliably.

/** Bus number from a hex PCI address: "0000:0A:00.0" (GMiner), "01:00.0" (XMRig), "00000000:01:00.0". */
export const busFromHexAddress = (x: unknown): number | null => {
  const s = text(x)?.trim();
  if (!s) return null;
  const m = /^(?:[0-9a-f]{4,8}:)?([0-9a-f]{1,2}):[0-9a-f]{1,2}(?:\.[0-7])?$/i.exec(s);
  return m ? Number.parseInt(m[1]!, 16) : null;
};

/** Bus number from lolMiner's DECIMAL "bus:device" ("16:0" is bus 0x10), or a plain decimal integer. */
export const busFromDecimal = (x: unknown): number | null => {
  if (typeof x === "number") return Number.isInteger(x) && x >= 0 && x <= 255 ? x : null;
  const s = text(x)?.trim();
  if (!s) return null;
  const m = /^(\d{1,3})(?::\d{1,3})?$/.exec(s);
  if (!m) return null;
  const bus = Number(m[1]);
  return bus <= 255 ? bus : null;
};

/** "lolMiner 1.48" → "1.48", "lolMiner 1.0 a2" → "1.0 a2", "TeamRedMiner 0.3.8" → "0.3.8". */
export const versionFromName = (x: unknown): string | null => {
  const s = text(x);
  if (!s) return null;
  const m = /(?:^|\s)v?(\d[\w. -]*)$/.exec(s.trim());
  return m ? m[1]! : null;
};

export const sumOrNull = (values: readonly (number | null)[]): number | null =>
  values.length === 0 || values.some((v) => v === null) ? null : values.reduce<number>((a, b) => a + (b ?? 0), 0);

export const requireRecord = (x: unknown, what: string): Json => {
  const r = record(x);
  if (!r) throw new MinerApiError(`${what}: expected a JSON object`);
  return r;
};
