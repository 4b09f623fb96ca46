import { MinerApiError, type FetchStatsOptions, type MinerStats } from "./miner-stats";
import { endpoint, httpGetJson } from "./transport";
import { busFromHexAddress, count, num, percent, record, requireRecord, sensor, text } from "./values";

/**
 * Rigel `GET /stat` (--api-bind). No capture of it is stored with the rig fixtures; the shape comes from
 * public integrations that read it:
 * - UselessGuru/UG-Miner Includes/MinerAPIs/Rigel.ps1: GET /stat, `algorithm` joins dual algorithms with
 *   "+", `hashrate.<algo>` and `solution_stat.<algo>.{accepted,rejected,invalid}` per algorithm, H/s,
 *   rig `power_usage` W;
 * - a TypeScript Rigel monitor found by the code search (its typed `MinerAppStatistics`: `name`,
 *   `version`, `uptime`, `devices[]` with `id`, `selected`, `pci_address`, `hashrate.<algo>`,
 *   `solution_stat.<algo>`, `monitoring_info.{core_temperature, fan_speed, power_usage}`).
 * Neither shows a `pci_address` value; it is read as a hex bus:device.function address, with or without
 * domain, like every other "bb:dd.f" address (unverified against a live Rigel).
 */
export const parseRigelStats = (raw: unknown): MinerStats => {
  const doc = requireRecord(raw, "Rigel stat");
  if (!Array.isArray(doc.devices)) throw new MinerApiError("Rigel stat has no devices array");
  // Dual/triple mining: "octopus+sha512256d"; the first algorithm is the primary one.
  const algorithm = text(doc.algorithm)?.split("+")[0] ?? null;
  const pick = (byAlgo: unknown) => (algorithm === null ? undefined : record(byAlgo)?.[algorithm]);
  const stat = record(pick(doc.solution_stat));
  return {
    miner: "rigel",
    version: text(doc.version),
    algorithm,
    uptimeS: count(doc.uptime),
    totalHashrateHs: num(pick(doc.hashrate)),
    accepted: count(stat?.accepted),
    rejected: count(stat?.rejected),
    gpus: doc.devices
      .map((d) => record(d) ?? {})
      // Rigel lists every GPU in the box; `selected: false` ones are not mining for it.
      .filter((dev) => dev.selected !== false)
      .map((dev, i) => {
        const mon = record(dev.monitoring_info);
        const devStat = record(pick(dev.solution_stat));
        return {
          minerIndex: count(dev.id) ?? i,
          pciBus: busFromHexAddress(dev.pci_address),
          hashrateHs: num(pick(dev.hashrate)),
          accepted: count(devStat?.accepted),
          rejected: count(devStat?.rejected),
          tempC: sensor(mon?.core_temperature),
          powerW: sensor(mon?.power_usage),
          fanPct: percent(mon?.fan_speed),
        };
      }),
  };
};

export const fetchRigelStats = async (api: URL, options: FetchStatsOptions): Promise<MinerStats> =>
  parseRigelStats(await httpGetJson(endpoint(api, "/stat"), options));
