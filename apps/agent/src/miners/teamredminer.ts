import { MinerApiError, type FetchStatsOptions, type MinerStats } from "./miner-stats";
import { parseMinerJson, tcpRequest, tcpTarget } from "./transport";
import { count, list, num, percent, record, sensor, text, toHs, versionFromName, type Json } from "./values";

/**
 * TeamRedMiner's cgminer-style TCP API (port 4028, sgminer forks answer the same): send
 * {"command":"devs"} and read one JSON reply ended by a NUL byte. `summary+devs+pools` returns
 * {"summary":[reply],"devs":[reply],"pools":[reply]} in one go (what Hive OS's sgminer h-stats.sh reads:
 * minershive/hiveos-linux hive/miners/sgminer/h-stats.sh). Rates come twice, "MHS 30s" and "KHS 30s",
 * with the window in the key name (5s, 30s, 120s depending on the miner). No power, no PCI bus.
 */

export type CgminerReplies = { devs: unknown; summary?: unknown; pools?: unknown };

/** The reply's payload array (DEVS, SUMMARY, POOLS) after checking its STATUS. */
const payload = (reply: unknown, name: "DEVS" | "SUMMARY" | "POOLS"): Json[] | null => {
  const doc = record(reply);
  if (!doc) return null;
  const status = record(list(doc.STATUS)[0]);
  if (status && (status.STATUS === "E" || status.STATUS === "F")) {
    throw new MinerApiError(`miner refused the ${name.toLowerCase()} command: ${text(status.Msg) ?? "no reason given"}`);
  }
  return Array.isArray(doc[name]) ? doc[name].map((e) => record(e) ?? {}) : null;
};

const UNIT: Record<string, number> = { KHS: 1e3, MHS: 1e6, GHS: 1e9 };

/**
 * H/s from a DEVS or SUMMARY entry: the windowed rate ("KHS 30s", the current one) before the session
 * average ("KHS av"); kH/s before MH/s because it keeps more digits (0.002107 MH/s = 2.107 kH/s).
 */
export const cgminerHashrateHs = (entry: Json): number | null => {
  for (const window of [/^(KHS|MHS|GHS) \d+s$/, /^(KHS|MHS|GHS) av$/]) {
    for (const unit of ["KHS", "MHS", "GHS"]) {
      const key = Object.keys(entry).find((k) => window.test(k) && k.startsWith(unit));
      const value = key === undefined ? null : num(entry[key]);
      if (value !== null) return toHs(value, UNIT[unit]!);
    }
  }
  return null;
};

const total = (values: (number | null)[]): number | null =>
  values.length > 0 && values.every((v) => v !== null) ? values.reduce<number>((a, v) => a + (v ?? 0), 0) : null;

/** Pure: the devs reply, plus summary and pools replies when the miner gave them. */
export const parseTeamRedMinerStats = ({ devs, summary, pools }: CgminerReplies): MinerStats => {
  const devices = payload(devs, "DEVS") ?? [];
  const sum = summary === undefined ? null : (payload(summary, "SUMMARY")?.[0] ?? null);
  const poolList = pools === undefined ? [] : (payload(pools, "POOLS") ?? []);
  if (!sum && payload(devs, "DEVS") === null) throw new MinerApiError("cgminer API reply has neither DEVS nor SUMMARY");
  const description = [devs, summary, pools].map((r) => text(record(list(record(r)?.STATUS)[0])?.Description)).find((d) => d !== null);
  const activePool = poolList.find((p) => p["Stratum Active"] === true) ?? poolList[0];
  const gpus = devices.map((d, i) => ({
    minerIndex: count(d.GPU) ?? i,
    pciBus: null,
    hashrateHs: cgminerHashrateHs(d),
    accepted: count(d.Accepted),
    rejected: count(d.Rejected),
    tempC: sensor(d.Temperature),
    powerW: null,
    // "Fan Speed" is RPM; "Fan Percent" is the duty.
    fanPct: percent(d["Fan Percent"]),
  }));
  const deviceElapsed = devices.map((d) => count(d["Device Elapsed"])).filter((e): e is number => e !== null);
  return {
    miner: "teamredminer",
    version: versionFromName(description ?? null),
    algorithm: text(activePool?.Algorithm),
    // Without a summary, the longest-running device has been up as long as the miner.
    uptimeS: count(sum?.Elapsed) ?? (deviceElapsed.length > 0 ? Math.max(...deviceElapsed) : null),
    totalHashrateHs: (sum ? cgminerHashrateHs(sum) : null) ?? total(gpus.map((g) => g.hashrateHs)),
    accepted: count(sum?.Accepted) ?? total(gpus.map((g) => g.accepted)),
    rejected: count(sum?.Rejected) ?? total(gpus.map((g) => g.rejected)),
    gpus,
  };
};

/** Split a `summary+devs+pools` answer into its single-command replies. */
export const splitCgminerReply = (raw: unknown): CgminerReplies | null => {
  const doc = record(raw);
  if (!doc || !Array.isArray(doc.devs)) return null;
  const first = (key: string) => (Array.isArray(doc[key]) ? (doc[key] as unknown[])[0] : undefined);
  return { devs: first("devs"), summary: first("summary"), pools: first("pools") };
};

export const fetchTeamRedMinerStats = async (api: URL, options: FetchStatsOptions): Promise<MinerStats> => {
  const { host, port } = tcpTarget(api, 4028);
  const where = `tcp://${host}:${port}`;
  const ask = async (command: string) => parseMinerJson(await tcpRequest(host, port, JSON.stringify({ command }), options), where);
  const combined = splitCgminerReply(await ask("summary+devs+pools"));
  if (combined) return parseTeamRedMinerStats(combined);
  // A build without joined commands answers with an error status: ask one command per connection.
  const devs = await ask("devs");
  const optional = async (command: string) => {
    try {
      return await ask(command);
    } catch (err) {
      if (err instanceof MinerApiError) return undefined;
      throw err;
    }
  };
  return parseTeamRedMinerStats({ devs, summary: await optional("summary"), pools: await optional("pools") });
};
