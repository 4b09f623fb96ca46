import { PerformanceObserver, constants, type PerformanceEntry } from "node:perf_hooks";
import { getHeapStatistics, setFlagsFromString } from "node:v8";

const MiB = 2 ** 20;

/**
 * Keep the garbage V8 lets a gateway pile up between full GCs near `slackMb`, instead of a
 * multiple of what is live. V8 picks that multiple itself (up to about 3×): a gateway holding
 * 10,000 idle-ish rigs (200 MB live) grew to 600 MB of heap, while one fixed smaller factor
 * makes a busy gateway with little live data collect all the time (ingest fell by a quarter at
 * 25 %). After each full GC the growth factor is set so that the next limit is about live +
 * `slackMb`, within [minPercent, maxPercent]. V8 reads --heap-growing-percent at every full GC,
 * so setting it at run time works (checked on Node 20 and 22); the new value applies from the
 * GC after the one observed.
 */
type Bounds = { slackMb: number; minPercent?: number; maxPercent?: number };

/** The heap growth, in % of what is live, that leaves about `slackMb` of room, within the bounds. */
export const heapGrowingPercent = (liveMb: number, { slackMb, minPercent = 20, maxPercent = 300 }: Bounds) =>
  Math.round(Math.min(maxPercent, Math.max(minPercent, (slackMb / Math.max(1, liveMb)) * 100)));

export const boundHeapSlack = (bounds: Bounds) => {
  const apply = () => {
    const percent = heapGrowingPercent(getHeapStatistics().used_heap_size / MiB, bounds);
    setFlagsFromString(`--heap-growing-percent=${percent}`);
    return percent;
  };
  const observer = new PerformanceObserver((list) => {
    if (list.getEntries().some((e) => (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) apply();
  });
  observer.observe({ entryTypes: ["gc"] });
  apply();
  return { stop: () => observer.disconnect(), apply };
};
