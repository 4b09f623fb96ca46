import { MinerApiError, type FetchStatsOptions, type MinerStats } from "./miner-stats";
import { endpoint, httpGetJson } from "./transport";
import { busFromHexAddress, count, list, num, record, requireRecord, sensor, type Json } from "./values";

/**
 * nanominer `GET /stats`. `Devices[]` holds one-key objects `{"GPU 0": {Name, Pci, Temperature}}`;
 * `Algorithms[]` one-key objects `{"Ethash": {"GPU 0": {Accepted, Denied, Hashrate}, "Total": …}}`,
 * `Hashrate` a STRING in scientific notation ("4.591157e+06") in H/s. `Pci` is hex ("01:00.0").
 * Dual mining lists two algorithms; the first is reported, like the other drivers' primary algorithm.
 */
const entries = (x: unknown): [string, Json][] =>
  list(x).flatMap((item) => Object.entries(record(item) ?? {}).flatMap(([k, v]) => (record(v) ? [[k, record(v)!] as [string, Json]] : [])));

const GPU_KEY = /^GPU (\d+)$/;

export const parseNanominerStats = (raw: unknown): MinerStats => {
  const doc = requireRecord(raw, "nanominer stats");
  if (!Array.isArray(doc.Algorithms) && !Array.isArray(doc.Devices)) throw new MinerApiError("nanominer stats has neither Algorithms nor Devices");
  const [algorithm = null, perAlgorithm = {}] = entries(doc.Algorithms)[0] ?? [];
  const devices = new Map(entries(doc.Devices).map(([k, v]) => [k, v]));
  const keys = [...new Set([...devices.keys(), ...Object.keys(perAlgorithm)])].filter((k) => GPU_KEY.test(k));
  const gpus = keys
    .map((key) => {
      const dev = devices.get(key) ?? {};
      const rate = record(perAlgorithm[key]) ?? {};
      return {
        minerIndex: Number(GPU_KEY.exec(key)![1]),
        pciBus: busFromHexAddress(dev.Pci),
        hashrateHs: num(rate.Hashrate),
        accepted: count(rate.Accepted),
        rejected: count(rate.Denied),
        tempC: sensor(dev.Temperature),
        // Not in /stats (FORMATS.md): the agent takes them from nvidia-smi / rocm-smi by bus.
        powerW: null,
        fanPct: null,
      };
    })
    .sort((a, b) => a.minerIndex - b.minerIndex);
  const total = record(perAlgorithm.Total) ?? {};
  return {
    miner: "nanominer",
    version: null,
    algorithm,
    uptimeS: count(doc.WorkTime),
    totalHashrateHs: num(total.Hashrate),
    accepted: count(total.Accepted),
    rejected: count(total.Denied),
    gpus,
  };
};

export const fetchNanominerStats = async (api: URL, options: FetchStatsOptions): Promise<MinerStats> =>
  parseNanominerStats(await httpGetJson(endpoint(api, "/stats"), options));
