import { describe, expect, it } from "vitest";
import { parseTeamRedMinerStats, splitCgminerReply } from "./teamredminer";
import { fixtureJson } from "./testing/rig-fixtures";

describe("parseTeamRedMinerStats", () => {
  it("TeamRedMiner 0.3.8 devs + pools: 'KHS 120s' window in H/s, algorithm from the pool", () => {
    const stats = parseTeamRedMinerStats({ devs: fixtureJson("teamredminer-devs-1.json"), pools: fixtureJson("teamredminer-pools-1.json") });
    expect(stats).toMatchObject({
      miner: "teamredminer", version: "0.3.8", algorithm: "cnv8", uptimeS: 13887,
      totalHashrateHs: 12573, accepted: 371, rejected: 12,
    });
    expect(stats.gpus.map((g) => g.hashrateHs)).toEqual([2107, 2118, 2095, 2058, 2101, 2094]);
    expect(stats.gpus[0]).toEqual({ minerIndex: 0, pciBus: null, hashrateHs: 2107, accepted: 60, rejected: 2, tempC: 61, powerW: null, fanPct: 65 });
  });

  it("TeamRedMiner 0.3.10: 'MHS 30s'/'KHS 30s' window", () => {
    expect(parseTeamRedMinerStats({ devs: fixtureJson("teamredminer-devs-h1.json"), pools: fixtureJson("teamredminer-pools-h1.json") })).toEqual({
      miner: "teamredminer", version: "0.3.10", algorithm: "phi2", uptimeS: 103,
      totalHashrateHs: 1794000, accepted: 9, rejected: 0,
      gpus: [{ minerIndex: 0, pciBus: null, hashrateHs: 1794000, accepted: 9, rejected: 0, tempC: 69, powerW: null, fanPct: 47 }],
    });
  });

  it("sgminer forks answer the same devs: 'KHS 5s' window, float temperatures", () => {
    expect(parseTeamRedMinerStats({ devs: fixtureJson("sgminer-devs-1.json") })).toMatchObject({
      version: "1.4.1", algorithm: null, uptimeS: 30, totalHashrateHs: 525100,
      gpus: [{ minerIndex: 0, pciBus: null, hashrateHs: 525100, accepted: 1, rejected: 0, tempC: 61, powerW: null, fanPct: 44 }],
    });
    const h1 = parseTeamRedMinerStats({ devs: fixtureJson("sgminer-devs-h1.json") });
    expect(h1).toMatchObject({ version: "0.1.4", uptimeS: 960, totalHashrateHs: 54408000, accepted: 27 });
    expect(h1.gpus[3]).toEqual({ minerIndex: 3, pciBus: null, hashrateHs: 9070000, accepted: 4, rejected: 0, tempC: 55, powerW: null, fanPct: 93 });
  });

  it("a summary reply: GHS as a string, Elapsed as uptime (bmminer envelope)", () => {
    expect(parseTeamRedMinerStats({ devs: undefined, summary: fixtureJson("cgminer-summary-1.json") })).toEqual({
      miner: "teamredminer", version: "1.0.0", algorithm: null, uptimeS: 40206,
      totalHashrateHs: 13581930000000, accepted: 7629, rejected: 2, gpus: [],
    });
  });

  it("splits a joined summary+devs+pools answer", () => {
    const joined = {
      summary: [fixtureJson("cgminer-summary-1.json")],
      devs: [fixtureJson("teamredminer-devs-h1.json")],
      pools: [fixtureJson("teamredminer-pools-h1.json")],
    };
    const stats = parseTeamRedMinerStats(splitCgminerReply(joined)!);
    expect(stats).toMatchObject({ algorithm: "phi2", uptimeS: 40206, accepted: 7629 });
    expect(stats.gpus).toHaveLength(1);
  });

  it("an error STATUS is reported with the miner's message", () => {
    const refused = { STATUS: [{ STATUS: "E", When: 1, Code: 14, Msg: "Invalid command", Description: "TeamRedMiner 0.3.8" }], id: 1 };
    expect(() => parseTeamRedMinerStats({ devs: refused })).toThrow(/Invalid command/);
  });
});
