import { describe, expect, it } from "vitest";
import { fixtureJson } from "./testing/rig-fixtures";
import { parseXmrigStats } from "./xmrig";

const gpu = (minerIndex: number, pciBus: number | null, hashrateHs: number | null, tempC: number | null, powerW: number | null, fanPct: number | null) =>
  ({ minerIndex, pciBus, hashrateHs, accepted: null, rejected: null, tempC, powerW, fanPct });

describe("parseXmrigStats", () => {
  it("XMRig 6 /2/summary + /2/backends: the CUDA GPU on bus 01, CPU backend not listed as a GPU", () => {
    expect(parseXmrigStats(fixtureJson("xmrig-2-summary-1.json"), fixtureJson("xmrig-2-backends-1.json"))).toEqual({
      miner: "xmrig",
      version: "6.17.1-dev",
      algorithm: "rx/0",
      uptimeS: 106,
      totalHashrateHs: 1207.19,
      accepted: 3,
      rejected: 0,
      gpus: [gpu(0, 1, 246.77, 69, 161, 100)],
    });
  });

  it("XMRig 5.5 laptop GPU: 0 W power and an empty fan list are 'not readable', not 0", () => {
    const stats = parseXmrigStats(fixtureJson("xmrig-1-summary-h1.json"), fixtureJson("xmrig-2-backends-h1.json"));
    expect(stats).toMatchObject({ version: "5.5.3", algorithm: "rx/0", uptimeS: 71, totalHashrateHs: 899.09, accepted: 0, rejected: 0 });
    expect(stats.gpus).toEqual([gpu(0, 1, 161.95, 48, null, null)]);
  });

  it("disabled cuda/opencl backends yield no GPUs on a CPU-only rig", () => {
    expect(parseXmrigStats(fixtureJson("xmrig-2-summary-1.json"), fixtureJson("xmrig-2-backends-2.json")).gpus).toEqual([]);
  });

  it("xmrig-nvidia 2.6: sensors from the health array, by position with hashrate.threads", () => {
    const stats = parseXmrigStats(fixtureJson("xmrig-1-summary-1.json"));
    expect(stats).toMatchObject({ version: "2.6.1", algorithm: "cryptonight", totalHashrateHs: 3522.59, accepted: 4, rejected: 0 });
    // Only connection.uptime (the pool link's) exists in 2.x: the miner's own uptime is unknown.
    expect(stats.uptimeS).toBeNull();
    expect(stats.gpus).toHaveLength(8);
    expect(stats.gpus[0]).toEqual(gpu(0, null, 477.26, 54, 93, 53));
    expect(stats.gpus[7]).toEqual(gpu(7, null, 286.31, 50, 53, 50));
  });

  it("CPU builds 2.4/2.6: totals and shares (rejected = total - good), no GPUs", () => {
    expect(parseXmrigStats(fixtureJson("xmrig-1-summary-2.json"))).toEqual({
      miner: "xmrig", version: "2.6.0-beta3", algorithm: "cryptonight", uptimeS: null,
      totalHashrateHs: 296.24, accepted: 30, rejected: 0, gpus: [],
    });
    expect(parseXmrigStats(fixtureJson("xmrig-1-summary-h2.json"))).toMatchObject({
      version: "2.4.0", totalHashrateHs: 232.1, accepted: 1849, rejected: 0, gpus: [],
    });
  });

  it("before the first measurement the hashrate is null, not 0", () => {
    const summary = fixtureJson("xmrig-2-summary-1.json") as { hashrate: { total: unknown[] } };
    summary.hashrate.total = [null, null, null];
    const backends = fixtureJson("xmrig-2-backends-1.json") as { threads?: { hashrate: unknown[] }[] }[];
    backends[1]!.threads![0]!.hashrate = [null, null, null];
    const stats = parseXmrigStats(summary, backends);
    expect(stats.totalHashrateHs).toBeNull();
    expect(stats.gpus[0]!.hashrateHs).toBeNull();
  });
});
