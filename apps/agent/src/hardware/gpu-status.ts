/** What `rigshift-agent gpus --json` prints per GPU; null wherever the tool did not say (never 0). */
export type GpuStatus = {
  /** The rig's GPU index: nvidia-smi's own index for NVIDIA, after NVIDIA's for AMD (see read-gpus.ts). */
  index: number;
  uuid: string | null;
  /** Canonical `0000:01:00.0` (pci.ts). */
  pciBusId: string | null;
  vendor: "nvidia" | "amd";
  model: string | null;
  /** Integer MiB, as both tools count (nvidia-smi prints "MiB", rocm-smi bytes). */
  vramMb: number | null;
  vramUsedMb: number | null;
  tempC: number | null;
  powerW: number | null;
  powerLimitW: number | null;
  fanPct: number | null;
  utilPct: number | null;
  coreClockMhz: number | null;
  memClockMhz: number | null;
  driverVersion: string | null;
};

/** A process the driver lists on a GPU. */
export type GpuProcess = {
  pid: number;
  name: string;
  /** nvidia-smi's type: "C" compute, "G" graphics, "C+G"; null when not given. */
  type: string | null;
  usedMemoryMb: number | null;
};

/**
 * Text that stands for "no reading": `N/A`, `N/A (Secondary die)`, anything in brackets
 * (`[Not Supported]`, `[Unknown Error]`, `[GPU requires reset]`), and the bare sentences newer
 * drivers write in the XML (`Requested functionality has been deprecated`, `Not Found`).
 */
export const isPlaceholder = (text: string): boolean => {
  const t = text.trim();
  return (
    t === "" ||
    /^\[.*\]$/s.test(t) ||
    /^n\/a\b/i.test(t) ||
    /^(not (supported|found|available|active)|unknown error|insufficient permissions|gpu requires reset|requested functionality has been deprecated|unknown|none)$/i.test(t)
  );
};

/** A text field, or null for a placeholder. */
export const textOrNull = (text: string | null | undefined): string | null => {
  if (text === null || text === undefined) return null;
  const t = text.trim();
  return isPlaceholder(t) ? null : t;
};

/**
 * A number with an optional unit (`"119.47 W"`, `"41 %"`, `"(1725Mhz)"`, `"45.0"`). Returns null for
 * a placeholder, for text that is not a number, and for a number in another unit than `unit`
 * (a `"KB/s"` where MHz was expected is not a clock).
 */
export const quantity = (text: string | null | undefined, unit?: string): number | null => {
  if (text === null || text === undefined) return null;
  let t = text.trim();
  // rocm-smi writes current clocks in parentheses: "(1725Mhz)".
  const paren = /^\((.*)\)$/.exec(t);
  if (paren) t = paren[1]!.trim();
  const m = /^(-?\d+(?:\.\d+)?)\s*([A-Za-z%/]+)?$/.exec(t);
  if (!m) return null;
  if (m[2] !== undefined && unit !== undefined && m[2].toLowerCase() !== unit.toLowerCase()) return null;
  const value = Number(m[1]);
  return Number.isFinite(value) ? value : null;
};

/** An integer quantity (MiB, MHz), or null. */
export const intQuantity = (text: string | null | undefined, unit?: string): number | null => {
  const value = quantity(text, unit);
  return value === null ? null : Math.round(value);
};
