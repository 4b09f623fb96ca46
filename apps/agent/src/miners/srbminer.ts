import { MinerApiError, type FetchStatsOptions, type MinerGpuStats, type MinerStats } from "./miner-stats";
import { endpoint, httpGetJson } from "./transport";
import { busFromDecimal, count, list, num, percent, record, requireRecord, sensor, text, type Json } from "./values";

/**
 * SRBMiner, HTTP GET / on --api-port; all rates in H/s, `bus_id` a DECIMAL integer, fans only in RPM
 * (`fan_speed_rpm`, so fanPct stays null unless a build reports `fan_speed` in %). Three generations:
 * - SRBMiner-CN 1.x: `hashrate_total_now`, `devices[]` with their own `hashrate`, shares under `shares`;
 * - SRBMiner-MULTI 0.1.x: totals as CN, per-GPU rates in `gpu_hashrate[0]` keyed "GPU0"…, hardware in `gpu_devices[]`;
 * - SRBMiner-MULTI 0.5+: `gpu_devices[]` + `algorithms[]`, each with `shares` and `hashrate.gpu` keyed "gpu0"….
 * Per-GPU shares are not reported by any of them.
 */

type Device = { index: number; dev: Json | null; hashrateHs: number | null };

const toGpu = ({ index, dev, hashrateHs }: Device): MinerGpuStats => ({
  minerIndex: index,
  pciBus: busFromDecimal(dev?.bus_id),
  hashrateHs,
  accepted: null,
  rejected: null,
  tempC: sensor(dev?.temperature),
  powerW: sensor(dev?.power ?? dev?.asic_power),
  fanPct: percent(dev?.fan_speed),
});

/**
 * GPUs keyed "GPU3"/"gpu3" in a hashrate map joined to device entries by their id. The union of both:
 * a source trimmed `gpu_devices` to one entry while `gpu_hashrate` kept six GPUs, and a GPU that the miner
 * rates but does not describe still hashes.
 */
const joinDevices = (rates: Json | null, devices: Json[]): MinerGpuStats[] => {
  const byIndex = new Map<number, Device>();
  for (const dev of devices) {
    const index = count(dev.device_id ?? dev.id);
    if (index !== null) byIndex.set(index, { index, dev, hashrateHs: num(dev.hashrate) });
  }
  for (const [key, value] of Object.entries(rates ?? {})) {
    const m = /^gpu(\d+)$/i.exec(key);
    if (!m) continue;
    const index = Number(m[1]);
    byIndex.set(index, { index, dev: byIndex.get(index)?.dev ?? null, hashrateHs: num(value) });
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index).map(toGpu);
};

export const parseSrbminerStats = (raw: unknown): MinerStats => {
  const doc = requireRecord(raw, "SRBMiner answer");
  const common = { miner: "srbminer" as const, version: text(doc.miner_version), uptimeS: count(doc.mining_time) };
  if (Array.isArray(doc.algorithms)) {
    // 0.5+: one block per algorithm (two when dual-mining); the first is the profile's algorithm.
    const algo = record(doc.algorithms[0]);
    if (!algo) throw new MinerApiError("SRBMiner answer lists no algorithm");
    const rates = record(algo.hashrate);
    const shares = record(algo.shares);
    return {
      ...common,
      algorithm: text(algo.name),
      // hashrate.now includes CPU threads; a GPU profile runs with the CPU disabled.
      totalHashrateHs: num(rates?.now),
      accepted: count(shares?.accepted),
      rejected: count(shares?.rejected),
      gpus: joinDevices(record(rates?.gpu), list(doc.gpu_devices).map((d) => record(d) ?? {})),
    };
  }
  const shares = record(doc.shares);
  const devices = Array.isArray(doc.gpu_devices) ? doc.gpu_devices : doc.devices;
  if (!Array.isArray(devices)) throw new MinerApiError("SRBMiner answer has neither algorithms nor devices");
  return {
    ...common,
    // CN 1.x names the CryptoNight variant; MULTI 0.1.x the algorithm.
    algorithm: text(doc.algorithm) ?? text(doc.cryptonight_type),
    totalHashrateHs: num(doc.hashrate_total_now),
    accepted: count(shares?.accepted),
    rejected: count(shares?.rejected),
    gpus: joinDevices(record(list(doc.gpu_hashrate)[0]), devices.map((d) => record(d) ?? {})),
  };
};

export const fetchSrbminerStats = async (api: URL, options: FetchStatsOptions): Promise<MinerStats> =>
  parseSrbminerStats(await httpGetJson(endpoint(api, "/"), options));
