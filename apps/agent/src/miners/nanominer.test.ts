import { describe, expect, it } from "vitest";
import { parseNanominerStats } from "./nanominer";
import { fixtureJson } from "./testing/rig-fixtures";

describe("parseNanominerStats", () => {
  it("nanominer-stats-1.json: scientific-notation string hashrate, hex Pci, GPU keyed 'GPU 0'", () => {
    expect(parseNanominerStats(fixtureJson("nanominer-stats-1.json"))).toEqual({
      miner: "nanominer", version: null, algorithm: "Ethash", uptimeS: 898, totalHashrateHs: 4591157, accepted: 3, rejected: 0,
      gpus: [{ minerIndex: 0, pciBus: 1, hashrateHs: 4591157, accepted: 3, rejected: 0, tempC: 46, powerW: null, fanPct: null }],
    });
  });

  it("orders GPUs by number, not key order, and refuses an unknown document", () => {
    const stats = parseNanominerStats({
      Algorithms: [{ Ethash: { "GPU 10": { Hashrate: "1e+06" }, "GPU 2": { Hashrate: "2e+06" }, Total: { Hashrate: "3e+06" } } }],
      Devices: [{ "GPU 2": { Pci: "0a:00.0" } }, { "GPU 10": { Pci: "0b:00.0" } }],
    });
    expect(stats.gpus.map((g) => [g.minerIndex, g.pciBus, g.hashrateHs])).toEqual([[2, 10, 2e6], [10, 11, 1e6]]);
    expect(() => parseNanominerStats({ hello: 1 })).toThrow("neither Algorithms nor Devices");
  });
});
