import { describe, expect, it } from "vitest";
import { parseExcavatorStats } from "./excavator";
import { fixtureJson } from "./testing/rig-fixtures";

const sensorsOnly = { hashrateHs: null, accepted: null, rejected: null };

// Read by hand from ../shared/fixtures/rig/excavator-*.json.
describe("parseExcavatorStats", () => {
  it("excavator-device-get-1.json: fields inside `device`, decimal bus id 33", () => {
    expect(parseExcavatorStats({ devices: fixtureJson("excavator-device-get-1.json") }).gpus).toEqual([
      { minerIndex: 0, pciBus: 33, ...sensorsOnly, tempC: 48, powerW: 131.5399932861328, fanPct: 100 },
    ]);
  });

  it("excavator-device-get-h1.json: older build, fields at top level", () => {
    expect(parseExcavatorStats({ devices: fixtureJson("excavator-device-get-h1.json") }).gpus).toEqual([
      { minerIndex: 0, pciBus: 6, ...sensorsOnly, tempC: 42, powerW: 131.9720001220703, fanPct: 40 },
    ]);
  });

  it("excavator-devices-get-1.json + excavator-algorithm-list-1.json (same rig): primary algorithm totals", () => {
    const stats = parseExcavatorStats({ devices: fixtureJson("excavator-devices-get-1.json"), algorithms: fixtureJson("excavator-algorithm-list-1.json") });
    expect(stats).toEqual({
      miner: "excavator", version: null, algorithm: "daggerhashimoto", uptimeS: 19, totalHashrateHs: 9198932.692307692, accepted: 0, rejected: 0,
      gpus: [
        { minerIndex: 0, pciBus: 5, ...sensorsOnly, tempC: 28, powerW: 56.340999603271487, fanPct: 23 },
        // Fan 0 % is a reading (stopped fan), not "n/a".
        { minerIndex: 1, pciBus: 7, ...sensorsOnly, tempC: 35, powerW: 6.573999881744385, fanPct: 0 },
      ],
    });
  });

  it("excavator-algorithm-list-1.json alone: decred and equihash are not the primary", () => {
    const stats = parseExcavatorStats({ algorithms: fixtureJson("excavator-algorithm-list-1.json") });
    expect(stats).toMatchObject({ algorithm: "daggerhashimoto", totalHashrateHs: 9198932.692307692, gpus: [] });
  });

  it("excavator-worker-list-1.json: per-device speed in the primary algorithm, null on a device mining another", () => {
    const stats = parseExcavatorStats({ workers: fixtureJson("excavator-worker-list-1.json") });
    expect(stats).toMatchObject({ algorithm: "decred", uptimeS: null, accepted: null, rejected: null });
    expect(stats.gpus.map((g) => [g.minerIndex, g.pciBus, g.hashrateHs])).toEqual([
      [0, null, 4634748002.093876],
      // Equihash only.
      [1, null, null],
      // Dual daggerhashimoto + decred: its decred speed.
      [2, null, 204325144.6518932],
    ]);
    expect(stats.totalHashrateHs).toBe(4634748002.093876 + 204325144.6518932);
  });

  it("worker.list joined to devices.get by device_id", () => {
    const stats = parseExcavatorStats({ devices: fixtureJson("excavator-devices-get-1.json"), workers: fixtureJson("excavator-worker-list-1.json") });
    expect(stats.gpus.map((g) => [g.minerIndex, g.pciBus, g.hashrateHs, g.tempC])).toEqual([
      [0, 5, 4634748002.093876, 28],
      [1, 7, null, 35],
      [2, null, 204325144.6518932, null],
    ]);
  });

  it("an error in any reply is a MinerApiError", () => {
    expect(() => parseExcavatorStats({ devices: { id: 1, error: "Device not found" } })).toThrow("Excavator devices.get failed: Device not found");
    expect(() => parseExcavatorStats({ devices: { id: 1, error: null } })).toThrow("no devices, workers or algorithms");
  });
});
