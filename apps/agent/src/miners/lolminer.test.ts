import { describe, expect, it } from "vitest";
import { parseLolminerStats } from "./lolminer";
import { fixtureJson } from "./testing/rig-fixtures";

describe("parseLolminerStats, 1.3x+ schema (Workers + Algorithms)", () => {
  it("lolMiner 1.48: mh/s × Performance_Factor, decimal PCIE_Address, all four listed workers", () => {
    expect(parseLolminerStats(fixtureJson("lolminer-new-1.json"))).toEqual({
      miner: "lolminer",
      version: "1.48",
      algorithm: "Ethash",
      uptimeS: 43001,
      totalHashrateHs: 113069260.8,
      accepted: 1234,
      rejected: 0,
      // Num_Workers says 2; the Workers array lists 4 and all 4 hash.
      gpus: [
        { minerIndex: 0, pciBus: 2, hashrateHs: 27430000, accepted: 286, rejected: 0, tempC: 72, powerW: 140.146, fanPct: 68 },
        { minerIndex: 1, pciBus: 3, hashrateHs: 29370000, accepted: 322, rejected: 0, tempC: 68, powerW: 110.072, fanPct: 42 },
        { minerIndex: 2, pciBus: 4, hashrateHs: 29370000, accepted: 322, rejected: 0, tempC: 68, powerW: 112.072, fanPct: 42 },
        { minerIndex: 3, pciBus: 8, hashrateHs: 26900000, accepted: 304, rejected: 0, tempC: 74, powerW: 124.074, fanPct: 75 },
      ],
    });
  });

  it("lolMiner 1.92: 'Mh\\/s' unit, bus 11 read as decimal", () => {
    expect(parseLolminerStats(fixtureJson("lolminer-new-h1.json"))).toEqual({
      miner: "lolminer", version: "1.92", algorithm: "NexaPoW", uptimeS: 3710,
      totalHashrateHs: 5654916.174, accepted: 68, rejected: 0,
      gpus: [{ minerIndex: 0, pciBus: 11, hashrateHs: 5650000, accepted: 68, rejected: 0, tempC: 65, powerW: 86.118, fanPct: 38 }],
    });
  });
});

describe("parseLolminerStats, old schema (Session + GPUs)", () => {
  it("lolMiner 1.26: mh/s to H/s, unreadable memory temperature does not replace the core one", () => {
    expect(parseLolminerStats(fixtureJson("lolminer-old-1.json"))).toEqual({
      miner: "lolminer", version: "1.26", algorithm: "Ethash", uptimeS: 1560,
      totalHashrateHs: 91550000, accepted: 35, rejected: 0,
      gpus: [{ minerIndex: 0, pciBus: 1, hashrateHs: 91550000, accepted: 35, rejected: 0, tempC: 47, powerW: 219.857, fanPct: 88 }],
    });
  });

  it("lolMiner 1.16a: PCIE_Address 16:0 and 22:0 are decimal buses 16 and 22", () => {
    const stats = parseLolminerStats(fixtureJson("lolminer-old-2.json"));
    expect(stats).toMatchObject({ version: "1.16a", totalHashrateHs: 302400000, accepted: 3, rejected: 0, uptimeS: 90 });
    expect(stats.gpus.map((g) => g.pciBus)).toEqual([3, 16, 19, 22]);
    expect(stats.gpus[1]).toEqual({ minerIndex: 1, pciBus: 16, hashrateHs: 74510000, accepted: 0, rejected: 0, tempC: 65, powerW: 163.956, fanPct: 0 });
    expect(stats.gpus[3]).toMatchObject({ hashrateHs: 76690000, accepted: 2, tempC: 54, powerW: 176.468 });
  });

  it("lolMiner 1.16a ten seconds in: 0 C and 0 W mean not read yet", () => {
    const stats = parseLolminerStats(fixtureJson("lolminer-old-h1.json"));
    expect(stats.totalHashrateHs).toBe(6080000);
    expect(stats.gpus.map((g) => g.hashrateHs)).toEqual([0, 3870000, 0, 2210000]);
    expect(stats.gpus.every((g) => g.tempC === null && g.powerW === null)).toBe(true);
  });

  it("lolMiner 1.0: sol/s, 'Temps (deg C)' spelling, consumption 0 is unknown", () => {
    expect(parseLolminerStats(fixtureJson("lolminer-old-3.json"))).toEqual({
      miner: "lolminer", version: "1.0 a2", algorithm: "ZelHash", uptimeS: 10,
      totalHashrateHs: 6.7, accepted: 0, rejected: 0,
      gpus: [{ minerIndex: 0, pciBus: 1, hashrateHs: 6.7, accepted: 0, rejected: 0, tempC: 49, powerW: null, fanPct: 0 }],
    });
  });

  it("lolMiner 0.6: no unit (Equihash Sol/s as is), no sensors at all", () => {
    expect(parseLolminerStats(fixtureJson("lolminer-old-h2.json"))).toEqual({
      miner: "lolminer", version: "0.6", algorithm: "Equihash 210/9", uptimeS: 140,
      totalHashrateHs: 65.1, accepted: 4, rejected: 0,
      gpus: [{ minerIndex: 0, pciBus: 1, hashrateHs: 65.1, accepted: 4, rejected: 0, tempC: null, powerW: null, fanPct: null }],
    });
  });
});
