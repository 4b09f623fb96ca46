import type { Target } from "./types";

/** A target as a string: equal keys mean the same target (used for grouping and confirmations). */
export const targetKey = (t: Target): string => (t.mode === "IDLE" ? "IDLE" : t.mode === "HASH" ? `HASH:${t.coin}` : `AI:${t.workloadId}`);

/** Whether two targets are the same, without building keys (called for every GPU of every plan). */
export const sameTarget = (a: Target, b: Target): boolean =>
  a.mode === b.mode && (a.mode === "IDLE" || (a.mode === "HASH" ? a.coin === (b as { coin: string }).coin : a.workloadId === (b as { workloadId: string }).workloadId));

/** How an operator reads a target in a sentence. */
export const targetLabel = (t: Target): string => (t.mode === "IDLE" ? "idling" : t.mode === "HASH" ? `hashing ${t.coin}` : `AI workload ${t.workloadId}`);

/** USD per hour for a sentence ("$0.42/h", "-$0.05/h"). A display of a float score, never booked. */
const formatted = new Map<number, string>();

export const usdPerHour = (x: number): string => {
  // Memoized: a plan formats the same few hundred figures for 100,000 GPUs.
  const hit = formatted.get(x);
  if (hit !== undefined) return hit;
  const a = Math.abs(x);
  // Cents for most figures; two significant digits below ten cents, so an idle card's cost is not
  // "$0.00" ("$0.0013/h", "$0.03/h", "$0.025/h").
  let digits = a.toFixed(2);
  if (a > 0 && a < 0.095) {
    const decimals = Math.min(10, Math.max(2, 1 - Math.floor(Math.log10(a))));
    digits = a.toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, "$1");
  }
  const out = `${x < 0 && Number(digits) !== 0 ? "-" : ""}$${digits}/h`;
  if (formatted.size > 50_000) formatted.clear();
  formatted.set(x, out);
  return out;
};

export const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
