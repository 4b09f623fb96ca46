import { MinerApiError, type FetchStatsOptions, type MinerStats } from "./miner-stats";
import { endpoint, httpGetJson } from "./transport";
import { busFromHexAddress, count, hashrateUnitFactor, list, num, percent, record, requireRecord, sensor, text, toHs, versionFromName } from "./values";

/**
 * GMiner `/stat`. `devices[].speed` is in the miner's unit: H/s for Ethash, Sol/s for Equihash, G/s for
 * Cuckoo; newer builds name it in `speed_unit` (1.3x: `speedUnit`), early builds not at all (then the
 * algorithm's own unit, factor 1). `bus_id` is hex with a 4-digit domain ("0000:0A:00.0" = bus 10);
 * `gpu_id` is a dense index, not the bus. `power_usage` 0 means not readable.
 */
export const parseGminerStats = (raw: unknown): MinerStats => {
  const doc = requireRecord(raw, "GMiner stat");
  if (!Array.isArray(doc.devices)) throw new MinerApiError("GMiner stat has no devices array");
  const factor = hashrateUnitFactor(text(doc.speed_unit) ?? text(doc.speedUnit));
  const devices = doc.devices.map((d) => record(d) ?? {});
  const speeds = devices.map((d) => num(d.speed));
  const sum = (key: string) => {
    const values = devices.map((d) => count(d[key]));
    return values.length > 0 && values.every((v) => v !== null) ? values.reduce<number>((a, v) => a + (v ?? 0), 0) : null;
  };
  return {
    miner: "gminer",
    version: versionFromName(doc.miner),
    algorithm: text(doc.algorithm),
    uptimeS: count(doc.uptime),
    // No rig total in /stat: the devices' sum is what the miner itself prints as "Total".
    totalHashrateHs: speeds.length > 0 && speeds.every((s) => s !== null) ? toHs(speeds.reduce<number>((a, s) => a + (s ?? 0), 0), factor) : null,
    accepted: count(doc.total_accepted_shares) ?? sum("accepted_shares"),
    rejected: count(doc.total_rejected_shares) ?? sum("rejected_shares"),
    gpus: devices.map((d, i) => ({
      minerIndex: count(d.gpu_id) ?? i,
      pciBus: busFromHexAddress(d.bus_id),
      hashrateHs: toHs(speeds[i] ?? null, factor),
      accepted: count(d.accepted_shares),
      rejected: count(d.rejected_shares),
      tempC: sensor(d.temperature),
      powerW: sensor(d.power_usage),
      fanPct: percent(d.fan),
    })),
  };
};

export const fetchGminerStats = async (api: URL, options: FetchStatsOptions): Promise<MinerStats> =>
  parseGminerStats(await httpGetJson(endpoint(api, "/stat"), options));
