import { describe, expect, it } from "vitest";
import { parseSrbminerStats } from "./srbminer";
import { fixtureJson } from "./testing/rig-fixtures";

describe("parseSrbminerStats", () => {
  it("SRBMiner-CN 1.7.9: decimal bus_id, fans only in RPM so no percent", () => {
    expect(parseSrbminerStats(fixtureJson("srbminer-cn-1.json"))).toEqual({
      miner: "srbminer", version: "1.7.9", algorithm: "normalv8", uptimeS: 132,
      totalHashrateHs: 343, accepted: 0, rejected: 0,
      gpus: [{ minerIndex: 0, pciBus: 2, hashrateHs: 343, accepted: null, rejected: null, tempC: 63, powerW: null, fanPct: null }],
    });
  });

  it("SRBMiner-CN 1.9.2: the one listed device keeps its own id 3 and bus 13", () => {
    expect(parseSrbminerStats(fixtureJson("srbminer-cn-h1.json"))).toMatchObject({
      version: "1.9.2", algorithm: "mox", uptimeS: 48936, totalHashrateHs: 27643, accepted: 546, rejected: 0,
      gpus: [{ minerIndex: 3, pciBus: 13, hashrateHs: 4549, tempC: 65 }],
    });
  });

  it("SRBMiner-MULTI 0.5.6 CPU-only run: algorithm block totals, no GPUs", () => {
    expect(parseSrbminerStats(fixtureJson("srbminer-multi-1.json"))).toEqual({
      miner: "srbminer", version: "0.5.6", algorithm: "verushash", uptimeS: 1368,
      totalHashrateHs: 206111.5149227829, accepted: 15, rejected: 0, gpus: [],
    });
  });

  it("SRBMiner-MULTI 0.1.8: six rated GPUs although only GPU0 is described", () => {
    const stats = parseSrbminerStats(fixtureJson("srbminer-multi-h1.json"));
    expect(stats).toMatchObject({ version: "0.1.8", algorithm: "kadena", uptimeS: 18359, totalHashrateHs: 6290860755.620301, accepted: 2171, rejected: 19 });
    expect(stats.gpus.map((g) => g.minerIndex)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(stats.gpus[0]).toEqual({ minerIndex: 0, pciBus: 3, hashrateHs: 1052373939.1692787, accepted: null, rejected: null, tempC: 55, powerW: null, fanPct: null });
    expect(stats.gpus[5]).toEqual({ minerIndex: 5, pciBus: null, hashrateHs: 1042258405.1337745, accepted: null, rejected: null, tempC: null, powerW: null, fanPct: null });
  });
});
