import { describe, expect, it } from "vitest";
import { fixtureJson } from "./testing/rig-fixtures";
import { parseTrexStats } from "./trex";

describe("parseTrexStats", () => {
  it("T-Rex 0.19.5: integer H/s, per-GPU shares from stat_by_gpu, no PCI bus in this version", () => {
    expect(parseTrexStats(fixtureJson("trex-summary-1.json"))).toEqual({
      miner: "trex", version: "0.19.5", algorithm: "ethash", uptimeS: 76,
      totalHashrateHs: 91189394, accepted: 2, rejected: 3,
      gpus: [{ minerIndex: 0, pciBus: null, hashrateHs: 91189394, accepted: 2, rejected: 0, tempC: 65, powerW: 237, fanPct: 54 }],
    });
  });

  it("T-Rex 0.6.3 (API 1.1): eight GPUs, no per-GPU shares", () => {
    const stats = parseTrexStats(fixtureJson("trex-summary-2.json"));
    expect(stats).toMatchObject({ version: "0.6.3", algorithm: "x16r", uptimeS: 31, totalHashrateHs: 150645350, accepted: 10, rejected: 0 });
    expect(stats.gpus).toHaveLength(8);
    expect(stats.gpus[7]).toEqual({ minerIndex: 7, pciBus: null, hashrateHs: 18234722, accepted: null, rejected: null, tempC: 58, powerW: 181, fanPct: 57 });
  });

  it("T-Rex 0.9.1: a GPU without power and fan readings reports them as null", () => {
    expect(parseTrexStats(fixtureJson("trex-summary-3.json")).gpus).toEqual([
      { minerIndex: 0, pciBus: null, hashrateHs: 7748158, accepted: null, rejected: null, tempC: 68, powerW: null, fanPct: null },
    ]);
  });

  it("T-Rex 0.13.2: nameless GPUs without any sensor", () => {
    const stats = parseTrexStats(fixtureJson("trex-summary-h1.json"));
    expect(stats).toMatchObject({ version: "0.13.2", algorithm: "x16s", uptimeS: 870, totalHashrateHs: 46155255, accepted: 126 });
    expect(stats.gpus.map((g) => [g.minerIndex, g.hashrateHs, g.tempC])).toEqual([[0, 22767767, null], [1, 23387488, null]]);
  });

  it("T-Rex 0.19.1 over telnet: the same document, stat_by_gpu aligned by position", () => {
    const stats = parseTrexStats(fixtureJson("trex-summary-h2.json"));
    expect(stats).toMatchObject({ version: "0.19.1", uptimeS: 3656, totalHashrateHs: 232615880, accepted: 331, rejected: 0 });
    expect(stats.gpus[0]).toEqual({ minerIndex: 0, pciBus: null, hashrateHs: 29161504, accepted: 35, rejected: 0, tempC: 67, powerW: 109, fanPct: 49 });
    expect(stats.gpus[7]).toMatchObject({ minerIndex: 7, hashrateHs: 29191997, accepted: 62 });
  });
});
