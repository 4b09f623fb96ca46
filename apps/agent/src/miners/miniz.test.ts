import { describe, expect, it } from "vitest";
import { parseMinizStats } from "./miniz";
import { fixtureJson } from "./testing/rig-fixtures";

describe("parseMinizStats", () => {
  it("miniz-getstat-1.json: Sol/s, 'busid' placeholder and power 0 are null", () => {
    // start_time 1552868166; read 100 s later.
    const now = new Date((1552868166 + 100) * 1000);
    expect(parseMinizStats(fixtureJson("miniz-getstat-1.json"), { now })).toEqual({
      miner: "miniz", version: null, algorithm: null, uptimeS: 100, totalHashrateHs: 20.3, accepted: 3, rejected: 0,
      gpus: [{ minerIndex: 0, pciBus: null, hashrateHs: 20.3, accepted: 3, rejected: 0, tempC: 68, powerW: null, fanPct: 0 }],
    });
  });

  it("reads a real bus id, and refuses a reply without result", () => {
    const stats = parseMinizStats({ id: 0, error: null, result: [{ gpuid: 1, busid: "0000:0a:00.0", speed_sps: 50 }] }, { now: new Date() });
    expect(stats.gpus[0]).toMatchObject({ minerIndex: 1, pciBus: 10, hashrateHs: 50 });
    expect(() => parseMinizStats({ id: 0, error: null }, { now: new Date() })).toThrow("no result array");
  });
});
