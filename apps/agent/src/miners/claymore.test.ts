import { describe, expect, it } from "vitest";
import { parseClaymoreStats } from "./claymore";
import { fixtureJson } from "./testing/rig-fixtures";

const gpu = (minerIndex: number, hashrateHs: number, tempC: number | null, fanPct: number | null) => ({
  minerIndex, pciBus: null, hashrateHs, accepted: null, rejected: null, tempC, powerW: null, fanPct,
});

// Read by hand from ../shared/fixtures/rig/claymore-getstat1-*.json.
describe("parseClaymoreStats", () => {
  it("Claymore 11.8 ETH: kH/s scaled to H/s, temp;fan pairs per GPU", () => {
    const stats = parseClaymoreStats(fixtureJson("claymore-getstat1-1.json"));
    expect(stats).toMatchObject({ miner: "claymore", version: "11.8", algorithm: "ethash", uptimeS: 0, totalHashrateHs: 235321000, accepted: 2, rejected: 0 });
    expect(stats.gpus.map((g) => g.hashrateHs)).toEqual([29482000, 29474000, 29427000, 29477000, 29523000, 29523000, 29533000, 28878000]);
    expect(stats.gpus.map((g) => [g.tempC, g.fanPct])).toEqual([[60, 60], [56, 56], [57, 57], [57, 57], [58, 58], [59, 58], [57, 57], [58, 58]]);
    expect(stats.gpus[0]).toEqual(gpu(0, 29482000, 60, 60));
  });

  it("PhoenixMiner 5.1c ('PM 5.1c - ETH', no error key)", () => {
    const stats = parseClaymoreStats(fixtureJson("claymore-getstat1-2.json"));
    expect(stats).toMatchObject({ version: "5.1c", algorithm: "ethash", uptimeS: 0, totalHashrateHs: 237936000, accepted: 1, rejected: 0 });
    expect(stats.gpus).toHaveLength(8);
    expect(stats.gpus[7]).toEqual(gpu(7, 29494000, 48, 48));
    expect(stats.gpus[1]).toEqual(gpu(1, 29791000, 46, 47));
  });

  it("Claymore dual ETH+PASC: the first coin only; idle GPUs keep their place with 0", () => {
    const stats = parseClaymoreStats(fixtureJson("claymore-getstat1-3.json"));
    expect(stats).toMatchObject({ version: "11.8", algorithm: "ethash", totalHashrateHs: 146657000, accepted: 2, rejected: 0 });
    expect(stats.gpus.map((g) => g.hashrateHs)).toEqual([0, 29170000, 29299000, 29368000, 0, 29425000, 29393000, 0]);
    expect(stats.gpus[3]).toEqual(gpu(3, 29368000, 65, 64));
  });

  it("Claymore CryptoNote 11.3 XMR: H/s 1:1, uptime 2 minutes", () => {
    expect(parseClaymoreStats(fixtureJson("claymore-getstat1-4.json"))).toEqual({
      miner: "claymore", version: "11.3", algorithm: "cryptonight", uptimeS: 120, totalHashrateHs: 339, accepted: 0, rejected: 0,
      gpus: [gpu(0, 339, 61, 44)],
    });
  });

  it("Claymore 12.0 ETH with an empty temp/fan field: sensors null", () => {
    expect(parseClaymoreStats(fixtureJson("claymore-getstat1-h1.json"))).toEqual({
      miner: "claymore", version: "12.0", algorithm: "ethash", uptimeS: 60, totalHashrateHs: 160715000, accepted: 2, rejected: 0,
      gpus: [gpu(0, 77582000, null, null), gpu(1, 83133000, null, null)],
    });
  });

  it("Claymore ZCash 12.6: Sol/s 1:1", () => {
    expect(parseClaymoreStats(fixtureJson("claymore-getstat1-h2.json"))).toEqual({
      miner: "claymore", version: "12.6", algorithm: "equihash", uptimeS: 0, totalHashrateHs: 128, accepted: 0, rejected: 0,
      gpus: [gpu(0, 128, 60, 33)],
    });
  });

  it("ethminer 0.13 (no coin suffix: Ethash, kH/s), spaces in the temp/fan list", () => {
    const stats = parseClaymoreStats(fixtureJson("claymore-getstat1-h3.json"));
    expect(stats).toMatchObject({ version: "0.13.0.dev0", algorithm: "ethash", uptimeS: 5296 * 60, totalHashrateHs: 195423000, accepted: 15228, rejected: 3 });
    expect(stats.gpus.map((g) => [g.hashrateHs, g.tempC, g.fanPct])).toEqual([
      [24415000, 63, 50], [24415000, 53, 50], [24450000, 61, 50], [24415000, 63, 50],
      [24450000, 62, 50], [24415000, 61, 50], [24450000, 59, 50], [24415000, 58, 50],
    ]);
  });

  it("a JSON-RPC error or a reply without result is a MinerApiError", () => {
    expect(() => parseClaymoreStats({ id: 0, error: "wrong password" })).toThrow('miner_getstat1 failed: "wrong password"');
    expect(() => parseClaymoreStats({ id: 0, error: null })).toThrow("no result array");
  });
});
