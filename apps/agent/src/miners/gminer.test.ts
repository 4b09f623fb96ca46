import { describe, expect, it } from "vitest";
import { parseGminerStats } from "./gminer";
import { fixtureJson, fixtureText } from "./testing/rig-fixtures";
import { parseMinerJson } from "./transport";

describe("parseGminerStats", () => {
  it("early GMiner (blank lines around the body): hex bus ids, shares summed over devices", () => {
    const stats = parseGminerStats(parseMinerJson(fixtureText("gminer-stat-1.json"), "gminer"));
    expect(stats).toMatchObject({ miner: "gminer", version: null, algorithm: null, uptimeS: 37, totalHashrateHs: 253.4, accepted: 5, rejected: 0 });
    expect(stats.gpus.map((g) => g.pciBus)).toEqual([1, 2, 3, 4]);
    expect(stats.gpus[3]).toEqual({ minerIndex: 3, pciBus: 4, hashrateHs: 65.1, accepted: 2, rejected: 0, tempC: 51, powerW: 201, fanPct: null });
  });

  it("GMiner 1.34: speedUnit Sol/s stays 1:1", () => {
    expect(parseGminerStats(fixtureJson("gminer-stat-2.json"))).toEqual({
      miner: "gminer", version: "1.34", algorithm: 'Equihash 150,5 "Beam-PoW"', uptimeS: 88,
      totalHashrateHs: 1.2, accepted: 0, rejected: 0,
      gpus: [{ minerIndex: 0, pciBus: 2, hashrateHs: 1.2, accepted: 0, rejected: 0, tempC: 54, powerW: 32, fanPct: null }],
    });
  });

  it("GMiner 1.18: power_usage 0 is not readable", () => {
    expect(parseGminerStats(fixtureJson("gminer-stat-h1.json")).gpus).toEqual([
      { minerIndex: 0, pciBus: 1, hashrateHs: 68, accepted: 1, rejected: 0, tempC: 55, powerW: null, fanPct: null },
    ]);
  });

  it("GMiner 1.18 Beam: bus ids 0A and 0B are buses 10 and 11, not the dense gpu_id", () => {
    const stats = parseGminerStats(fixtureJson("gminer-stat-h2.json"));
    expect(stats.gpus.map((g) => [g.minerIndex, g.pciBus])).toEqual([[0, 1], [1, 2], [2, 3], [3, 4], [4, 6], [5, 9], [6, 10], [7, 11]]);
    expect(stats).toMatchObject({ totalHashrateHs: 180, accepted: 12, rejected: 0 });
    // Only rig totals for shares in this build.
    expect(stats.gpus[6]).toMatchObject({ accepted: null, rejected: null, hashrateHs: 22, tempC: 66, powerW: 172 });
  });
});
