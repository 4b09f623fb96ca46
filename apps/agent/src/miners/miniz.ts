import { jsonRpcTcp } from "./json-rpc-tcp";
import { MinerApiError, type FetchStatsOptions, type MinerStats } from "./miner-stats";
import { tcpTarget } from "./transport";
import { busFromHexAddress, count, list, num, percent, record, requireRecord, sensor, sumOrNull, text } from "./values";

/**
 * miniZ `{"id":"0","method":"getstat"}` over TCP (--telemetry, default port 20000). `result[]` is one
 * entry per GPU: `speed_sps` in Sol/s (Equihash: 1 Sol = 1 hash for the H/s fields), `busid` a hex
 * PCI id or the placeholder "busid", `gpu_power_usage` 0 when not readable. The reply names neither
 * the version nor the algorithm; uptime is `now - start_time` (epoch seconds).
 */
export const parseMinizStats = (raw: unknown, { now }: { now: Date }): MinerStats => {
  const doc = requireRecord(raw, "miniZ getstat");
  if (doc.error !== null && doc.error !== undefined) throw new MinerApiError(`miniZ getstat failed: ${JSON.stringify(doc.error)}`);
  if (!Array.isArray(doc.result)) throw new MinerApiError("miniZ getstat reply has no result array");
  const gpus = list(doc.result).map((r, i) => {
    const g = record(r) ?? {};
    return {
      minerIndex: count(g.gpuid) ?? i,
      pciBus: busFromHexAddress(g.busid),
      hashrateHs: num(g.speed_sps),
      accepted: count(g.accepted_shares),
      rejected: count(g.rejected_shares),
      tempC: sensor(g.temperature),
      powerW: sensor(g.gpu_power_usage),
      fanPct: percent(g.gpu_fan_speed),
    };
  });
  const started = num(doc.start_time);
  const uptimeS = started === null ? null : Math.max(0, Math.round(now.getTime() / 1000 - started));
  return {
    miner: "miniz",
    version: text(doc.version),
    algorithm: text(doc.algorithm),
    uptimeS,
    totalHashrateHs: sumOrNull(gpus.map((g) => g.hashrateHs)),
    accepted: sumOrNull(gpus.map((g) => g.accepted)),
    rejected: sumOrNull(gpus.map((g) => g.rejected)),
    gpus,
  };
};

export const fetchMinizStats = async (api: URL, options: FetchStatsOptions): Promise<MinerStats> => {
  const { host, port } = tcpTarget(api, 20000);
  return parseMinizStats(await jsonRpcTcp(host, port, { id: "0", method: "getstat" }, options), { now: new Date() });
};
