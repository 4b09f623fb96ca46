import { describe, expect, it } from "vitest";
import { parseNbminerStats } from "./nbminer";
import { fixtureJson } from "./testing/rig-fixtures";

describe("parseNbminerStats", () => {
  it("NBMiner 40: hashrate_raw H/s, decimal pci_bus_id 48, uptime from start_time", () => {
    // start_time 1637549633 + 2 minutes.
    expect(parseNbminerStats(fixtureJson("nbminer-status-1.json"), { now: new Date(1637549753 * 1000) })).toEqual({
      miner: "nbminer", version: "40.0", algorithm: "ethash", uptimeS: 120,
      totalHashrateHs: 146567481.51336715, accepted: 7, rejected: 0,
      gpus: [
        { minerIndex: 0, pciBus: 1, hashrateHs: 61497708.17088159, accepted: 4, rejected: 0, tempC: 57, powerW: 131, fanPct: 59 },
        { minerIndex: 1, pciBus: 48, hashrateHs: 85069773.34248555, accepted: 3, rejected: 0, tempC: 64, powerW: 258, fanPct: 80 },
      ],
    });
  });

  it("NBMiner 30 dual: the primary algorithm's rates; documented total kept as the miner states it", () => {
    const stats = parseNbminerStats(fixtureJson("nbminer-status-h1.json"));
    expect(stats).toMatchObject({ version: "30.0", algorithm: "hns_ethash", uptimeS: null, totalHashrateHs: 708044466.8349969, accepted: 2 });
    expect(stats.gpus).toEqual([
      { minerIndex: 0, pciBus: 1, hashrateHs: 217144297.59856823, accepted: 2, rejected: 0, tempC: 72, powerW: 188, fanPct: 47 },
      { minerIndex: 1, pciBus: 4, hashrateHs: 168455820.79097953, accepted: 0, rejected: 0, tempC: 57, powerW: 232, fanPct: 0 },
    ]);
  });
});
