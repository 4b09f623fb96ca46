import { describe, expect, it } from "vitest";
import { parseRigelStats } from "./rigel";
import { RIGEL_STAT } from "./testing/rigel-stat-sample";

describe("parseRigelStats", () => {
  it("reads the primary algorithm of a dual run, hex PCI address, and skips unselected GPUs", () => {
    expect(parseRigelStats(RIGEL_STAT)).toEqual({
      miner: "rigel", version: "1.15.0", algorithm: "octopus", uptimeS: 5400,
      totalHashrateHs: 61000000, accepted: 40, rejected: 1,
      gpus: [{ minerIndex: 0, pciBus: 10, hashrateHs: 61000000, accepted: 40, rejected: 1, tempC: 61, powerW: 180.5, fanPct: 55 }],
    });
  });

  it("an answer without devices is an error, not an empty rig", () => {
    expect(() => parseRigelStats({ name: "rigel", version: "1.15.0" })).toThrow(/no devices/);
  });
});
