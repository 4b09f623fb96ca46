import { MinerApiError, type FetchStatsOptions, type MinerStats } from "./miner-stats";
import { endpoint, httpGetJson, MinerHttpError, MinerNotJsonError } from "./transport";
import { busFromDecimal, count, hashrateUnitFactor, list, num, percent, record, requireRecord, sensor, text, toHs, versionFromName, type Json } from "./values";

/**
 * lolMiner, two schemas:
 * - up to 1.2x: `Session` + `GPUs[]`, rates in `Session.Performance_Unit` ("mh\/s", "sol\/s"; absent in 0.6,
 *   where the unit is the algorithm's own, Sol/s for Equihash, so factor 1);
 * - 1.3x+: `Workers[]` (hardware) + `Algorithms[]` (one per algorithm when dual-mining), rates × `Performance_Factor`.
 * `PCIE_Address` is DECIMAL "bus:device" ("16:0" is bus 0x10). Temperatures of 0 mean "not readable".
 */

const minus = (a: number | null, b: number | null) => (a !== null && b !== null ? Math.max(0, a - b) : null);

const parseOld = (doc: Json): MinerStats => {
  const session = record(doc.Session);
  const factor = hashrateUnitFactor(text(session?.Performance_Unit));
  const accepted = count(session?.Accepted);
  return {
    miner: "lolminer",
    version: versionFromName(doc.Software),
    algorithm: text(record(doc.Mining)?.Algorithm),
    uptimeS: count(session?.Uptime),
    totalHashrateHs: toHs(num(session?.Performance_Summary), factor),
    accepted,
    // Old lolMiner counts submitted and accepted; everything submitted but not accepted was rejected.
    rejected: minus(count(session?.Submitted), accepted),
    gpus: list(doc.GPUs).map((g, i) => {
      const gpu = record(g) ?? {};
      const gpuAccepted = count(gpu.Session_Accepted);
      return {
        minerIndex: count(gpu.Index) ?? i,
        pciBus: busFromDecimal(gpu.PCIE_Address),
        hashrateHs: toHs(num(gpu.Performance), factor),
        accepted: gpuAccepted,
        rejected: minus(count(gpu.Session_Submitted), gpuAccepted),
        // 1.0 spells it "Temps (deg C)".
        tempC: sensor(gpu["Temp (deg C)"] ?? gpu["Temps (deg C)"]),
        powerW: sensor(gpu["Consumption (W)"]),
        fanPct: percent(gpu["Fan Speed (%)"]),
      };
    }),
  };
};

const parseNew = (doc: Json): MinerStats => {
  // Dual mining lists a second algorithm; the first is the one the profile asked for.
  const algo = record(list(doc.Algorithms)[0]);
  if (!algo) throw new MinerApiError("lolMiner answer lists no algorithm");
  const factor = num(algo.Performance_Factor) ?? hashrateUnitFactor(text(algo.Performance_Unit));
  const perf = list(algo.Worker_Performance);
  const acc = list(algo.Worker_Accepted);
  const rej = list(algo.Worker_Rejected);
  return {
    miner: "lolminer",
    version: versionFromName(doc.Software),
    algorithm: text(algo.Algorithm),
    uptimeS: count(record(doc.Session)?.Uptime),
    totalHashrateHs: toHs(num(algo.Total_Performance), factor),
    accepted: count(algo.Total_Accepted),
    rejected: count(algo.Total_Rejected),
    // Num_Workers is not trustworthy (a real sample says 2 and lists 4): the Workers array is.
    gpus: list(doc.Workers).map((w, i) => {
      const worker = record(w) ?? {};
      return {
        minerIndex: count(worker.Index) ?? i,
        pciBus: busFromDecimal(worker.PCIE_Address),
        // Worker_* arrays follow the Workers order.
        hashrateHs: toHs(num(perf[i]), factor),
        accepted: count(acc[i]),
        rejected: count(rej[i]),
        tempC: sensor(worker.Core_Temp),
        powerW: sensor(worker.Power),
        fanPct: percent(worker.Fan_Speed),
      };
    }),
  };
};

export const parseLolminerStats = (raw: unknown): MinerStats => {
  const doc = requireRecord(raw, "lolMiner answer");
  if (Array.isArray(doc.Workers) && Array.isArray(doc.Algorithms)) return parseNew(doc);
  if (Array.isArray(doc.GPUs)) return parseOld(doc);
  throw new MinerApiError("lolMiner answer has neither Workers/Algorithms (1.3x+) nor GPUs (older)");
};

export const fetchLolminerStats = async (api: URL, options: FetchStatsOptions): Promise<MinerStats> => {
  try {
    return parseLolminerStats(await httpGetJson(endpoint(api, "/"), options));
  } catch (err) {
    // Builds before 1.3x serve the JSON at /summary and an HTML page (or 404) at /.
    if (!(err instanceof MinerHttpError || err instanceof MinerNotJsonError) || endpoint(api, "/") === api) throw err;
    return parseLolminerStats(await httpGetJson(endpoint(api, "/summary"), options));
  }
};
