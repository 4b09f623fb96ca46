import { MinerApiError, type FetchStatsOptions, type MinerGpuStats, type MinerStats } from "./miner-stats";
import { endpoint, httpGetJson, MinerHttpError } from "./transport";
import { count, list, num, percent, record, requireRecord, sensor, text, busFromHexAddress, type Json } from "./values";

/**
 * XMRig: `/2/summary` (or `/1/summary`, or `/` on 2.x builds) for totals, `/2/backends` for GPUs
 * (XMRig 5+), or the top-level `health` array of the old xmrig-nvidia/xmrig-amd 2.x builds.
 * Hashrates are `[10 s, 60 s, 15 min]` arrays in H/s, null until a window has filled.
 */

/** The freshest filled window; null (not 0) before the first measurement. */
const latestWindow = (x: unknown): number | null => {
  for (const v of list(x)) {
    const n = num(v);
    if (n !== null) return n;
  }
  return null;
};

const fanPctOf = (fans: unknown): number | null => {
  const values = list(fans).map(percent).filter((v): v is number => v !== null);
  // health.fan_speed is one entry per fan ([] on passive/laptop GPUs): report the mean duty.
  return values.length === 0 ? null : Math.round(values.reduce((a, b) => a + b, 0) / values.length);
};

const gpusFromBackends = (backends: unknown[]): MinerGpuStats[] => {
  const gpus: MinerGpuStats[] = [];
  for (const backend of backends.map(record)) {
    if (!backend || (backend.type !== "cuda" && backend.type !== "opencl") || backend.enabled !== true) continue;
    // One GPU can run several threads: sum their hashrates, take sensors from the first.
    const byIndex = new Map<number, Json[]>();
    for (const thread of list(backend.threads).map(record)) {
      const index = count(thread?.index);
      if (!thread || index === null) continue;
      byIndex.set(index, [...(byIndex.get(index) ?? []), thread]);
    }
    for (const [index, threads] of byIndex) {
      const first = threads[0]!;
      const health = record(first.health);
      const rates = threads.map((t) => latestWindow(t.hashrate));
      gpus.push({
        minerIndex: index,
        pciBus: busFromHexAddress(first.bus_id),
        hashrateHs: rates.every((r) => r === null) ? null : rates.reduce<number>((a, r) => a + (r ?? 0), 0),
        accepted: null,
        rejected: null,
        tempC: sensor(health?.temperature),
        powerW: sensor(health?.power),
        fanPct: fanPctOf(health?.fan_speed),
      });
    }
  }
  return gpus;
};

/** xmrig-nvidia / xmrig-amd 2.x: `health[i]` belongs to `hashrate.threads[i]` by position. */
const gpusFromHealth = (summary: Json): MinerGpuStats[] => {
  const threads = list(record(summary.hashrate)?.threads);
  return list(summary.health).map((entry, i) => {
    const health = record(entry);
    return {
      minerIndex: i,
      pciBus: null,
      hashrateHs: latestWindow(threads[i]),
      accepted: null,
      rejected: null,
      tempC: sensor(health?.temp),
      powerW: sensor(health?.power),
      fanPct: percent(health?.fan),
    };
  });
};

/** Pure: a summary document, plus the `/2/backends` array when the build has one. */
export const parseXmrigStats = (summaryRaw: unknown, backendsRaw?: unknown): MinerStats => {
  const summary = requireRecord(summaryRaw, "xmrig summary");
  if (!record(summary.hashrate)) throw new MinerApiError("xmrig summary has no hashrate block");
  const results = record(summary.results);
  const connection = record(summary.connection);
  const good = count(results?.shares_good);
  const total = count(results?.shares_total);
  return {
    miner: "xmrig",
    version: text(summary.version),
    algorithm: text(summary.algo),
    // Old builds only carry connection.uptime, which restarts on every pool reconnect: not the miner's.
    uptimeS: count(summary.uptime),
    totalHashrateHs: latestWindow(record(summary.hashrate)?.total),
    // Newer builds count per connection; older ones only have results (rejected = total - good).
    accepted: count(connection?.accepted) ?? good,
    rejected: count(connection?.rejected) ?? (good !== null && total !== null ? total - good : null),
    gpus: Array.isArray(backendsRaw) ? gpusFromBackends(backendsRaw) : gpusFromHealth(summary),
  };
};

const getFirst = async (api: URL, paths: string[], options: FetchStatsOptions): Promise<unknown> => {
  for (const [i, path] of paths.entries()) {
    try {
      return await httpGetJson(endpoint(api, path), options);
    } catch (err) {
      // 404: an older build without this endpoint; try the next one.
      if (!(err instanceof MinerHttpError && err.status === 404 && i < paths.length - 1)) throw err;
    }
  }
  throw new MinerApiError("unreachable");
};

export const fetchXmrigStats = async (api: URL, options: FetchStatsOptions): Promise<MinerStats> => {
  const summary = await getFirst(api, ["/2/summary", "/1/summary", "/"], options);
  if (Array.isArray(record(summary)?.health)) return parseXmrigStats(summary);
  let backends: unknown;
  try {
    backends = await httpGetJson(new URL("/2/backends", api), options);
  } catch (err) {
    // XMRig before 5.0 has no /2/backends: it is CPU-only or reports `health` in the summary.
    if (!(err instanceof MinerHttpError)) throw err;
  }
  return parseXmrigStats(summary, backends);
};
