import { MinerApiError, type FetchStatsOptions, type MinerStats } from "./miner-stats";
import { endpoint, httpGetJson } from "./transport";
import { busFromDecimal, count, num, percent, record, requireRecord, sensor, text } from "./values";

/**
 * NBMiner `/api/v1/status`. `hashrate_raw` is H/s (the `hashrate` strings are display text, "61.50 M");
 * `pci_bus_id` is a DECIMAL integer (48 = bus 0x30). Dual mining puts the second coin in `*2` fields,
 * which are ignored here. There is no uptime field, only `start_time` (epoch seconds): pass `now` to
 * get uptimeS. The documented totals need not equal the sum of the listed devices.
 */
export const parseNbminerStats = (raw: unknown, { now }: { now?: Date } = {}): MinerStats => {
  const doc = requireRecord(raw, "NBMiner status");
  const miner = record(doc.miner);
  if (!miner || !Array.isArray(miner.devices)) throw new MinerApiError("NBMiner status has no miner.devices array");
  const stratum = record(doc.stratum);
  const start = num(doc.start_time);
  return {
    miner: "nbminer",
    version: text(doc.version),
    algorithm: text(stratum?.algorithm),
    uptimeS: now && start !== null && start > 0 ? Math.max(0, Math.floor(now.getTime() / 1000 - start)) : null,
    totalHashrateHs: num(miner.total_hashrate_raw),
    accepted: count(stratum?.accepted_shares),
    rejected: count(stratum?.rejected_shares),
    gpus: miner.devices.map((d, i) => {
      const dev = record(d) ?? {};
      return {
        minerIndex: count(dev.id) ?? i,
        pciBus: busFromDecimal(dev.pci_bus_id),
        hashrateHs: num(dev.hashrate_raw),
        accepted: count(dev.accepted_shares),
        rejected: count(dev.rejected_shares),
        tempC: sensor(dev.temperature),
        powerW: sensor(dev.power),
        fanPct: percent(dev.fan),
      };
    }),
  };
};

export const fetchNbminerStats = async (api: URL, options: FetchStatsOptions): Promise<MinerStats> =>
  parseNbminerStats(await httpGetJson(endpoint(api, "/api/v1/status"), options), { now: new Date() });
