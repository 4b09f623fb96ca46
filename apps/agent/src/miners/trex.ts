import { MinerApiError, type FetchStatsOptions, type MinerStats } from "./miner-stats";
import { endpoint, httpGetJson, parseMinerJson, tcpRequest, tcpTarget } from "./transport";
import { busFromDecimal, count, list, num, percent, record, requireRecord, sensor, text } from "./values";

/**
 * T-Rex `/summary` (HTTP, default port 4067; the telnet API on 4068 answers `summary` with the same
 * document). Every hashrate is an integer in H/s; `hashrate` is the current one. Per-GPU shares sit in
 * `gpus[].shares` (later builds) or the top-level `stat_by_gpu[]` aligned by position (0.19); older
 * builds have none. PCI bus only in later builds (`pci_bus`, an integer).
 */
export const parseTrexStats = (raw: unknown): MinerStats => {
  const doc = requireRecord(raw, "T-Rex summary");
  if (!Array.isArray(doc.gpus)) throw new MinerApiError("T-Rex summary has no gpus array");
  const statByGpu = list(doc.stat_by_gpu);
  return {
    miner: "trex",
    version: text(doc.version),
    algorithm: text(doc.algorithm),
    uptimeS: count(doc.uptime),
    totalHashrateHs: num(doc.hashrate),
    accepted: count(doc.accepted_count),
    rejected: count(doc.rejected_count),
    gpus: doc.gpus.map((g, i) => {
      const gpu = record(g) ?? {};
      const shares = record(gpu.shares) ?? record(statByGpu[i]);
      return {
        minerIndex: count(gpu.device_id) ?? count(gpu.gpu_id) ?? i,
        pciBus: busFromDecimal(gpu.pci_bus),
        hashrateHs: num(gpu.hashrate),
        accepted: count(shares?.accepted_count),
        rejected: count(shares?.rejected_count),
        tempC: sensor(gpu.temperature),
        powerW: sensor(gpu.power),
        fanPct: percent(gpu.fan_speed),
      };
    }),
  };
};

export const fetchTrexStats = async (api: URL, options: FetchStatsOptions): Promise<MinerStats> => {
  if (api.protocol === "tcp:") {
    const { host, port } = tcpTarget(api, 4068);
    return parseTrexStats(parseMinerJson(await tcpRequest(host, port, "summary\n", options), `tcp://${host}:${port}`));
  }
  return parseTrexStats(await httpGetJson(endpoint(api, "/summary"), options));
};
