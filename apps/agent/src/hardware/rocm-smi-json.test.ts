import { describe, expect, it } from "vitest";
import { readFixture } from "./fake-tools";
import type { GpuStatus } from "./gpu-status";
import { parseRocmSmiJson, RocmSmiParseError } from "./rocm-smi-json";

type Expected = { card: number } & Omit<GpuStatus, "vendor" | "index">;

// Read by hand from ../shared/fixtures/rig/rocm-smi-json-*.json. VRAM bytes / 1048576, rounded:
// 12868124672 B = 12272 MiB, 1572745216 B = 1500 MiB, 34342961152 B = 32752 MiB, 17163091968 B = 16368 MiB.
const MI100 = "Arcturus GL-XL [Instinct MI100]";
const NAVI22 = "Navi 22 [Radeon RX 6700/6700 XT / 6800M]";
const EXPECTED: Record<string, Expected[]> = {
  "rocm-smi-json-1.json": [
    { card: 0, uuid: null, pciBusId: "0000:07:00.0", model: NAVI22, vramMb: 12272, vramUsedMb: 1500, tempC: 45, powerW: 6, powerLimitW: 211, fanPct: null, utilPct: 0, coreClockMhz: 0, memClockMhz: 96, driverVersion: "6.3.6" },
  ],
  "rocm-smi-json-2.json": [
    { card: 0, uuid: "0x79ccd55167a2124a", pciBusId: "0000:83:00.0", model: MI100, vramMb: 32752, vramUsedMb: 6, tempC: 53, powerW: 36, powerLimitW: 290, fanPct: null, utilPct: 0, coreClockMhz: 300, memClockMhz: 1200, driverVersion: "6.3.6" },
    { card: 1, uuid: "0x4edfb117a17a07d", pciBusId: "0000:a3:00.0", model: MI100, vramMb: 32752, vramUsedMb: 6, tempC: 55, powerW: 44, powerLimitW: 290, fanPct: null, utilPct: 0, coreClockMhz: 300, memClockMhz: 1200, driverVersion: "6.3.6" },
    { card: 2, uuid: "0xd4a9ec48d03d261d", pciBusId: "0000:c3:00.0", model: MI100, vramMb: 32752, vramUsedMb: 6, tempC: 54, powerW: 43, powerLimitW: 290, fanPct: null, utilPct: 0, coreClockMhz: 300, memClockMhz: 1200, driverVersion: "6.3.6" },
    { card: 3, uuid: "0x1b9dd972253c3736", pciBusId: "0000:e3:00.0", model: MI100, vramMb: 32752, vramUsedMb: 6, tempC: 51, powerW: 39, powerLimitW: 290, fanPct: null, utilPct: 0, coreClockMhz: 300, memClockMhz: 1200, driverVersion: "6.3.6" },
  ],
  "rocm-smi-json-3.json": [
    { card: 0, uuid: "0x2f048617326b1ea", pciBusId: "0000:63:00.0", model: "Radeon Instinct MI50 32GB", vramMb: 32752, vramUsedMb: 10, tempC: 36, powerW: 26, powerLimitW: 225, fanPct: 0, utilPct: 0, coreClockMhz: 1725, memClockMhz: 1000, driverVersion: "5.9.17" },
  ],
  "rocm-smi-json-4.json": [
    // Key order card2, card1; lower-case "vram Total Memory (B)", "Fan Speed (%)", clocks "808Mhz" without parentheses.
    { card: 1, uuid: "7c96610172fc1a8d", pciBusId: "0000:03:00.0", model: "Vega 20", vramMb: 16368, vramUsedMb: 310, tempC: 31, powerW: 34, powerLimitW: 250, fanPct: 20, utilPct: 0, coreClockMhz: 808, memClockMhz: 350, driverVersion: "5.3.0-26-generic" },
    { card: 2, uuid: "249220e172fc1a88", pciBusId: "0000:06:00.0", model: "Vega 20", vramMb: 16368, vramUsedMb: 18, tempC: 25, powerW: 24, powerLimitW: 250, fanPct: 20, utilPct: 0, coreClockMhz: 808, memClockMhz: 350, driverVersion: "5.3.0-26-generic" },
  ],
  "rocm-smi-json-5.json": [
    // "Card series": "0x1002" is the vendor id, not a name: fall back to the PCI device id.
    { card: 0, uuid: null, pciBusId: "0000:07:00.0", model: "AMD GPU 0x73df", vramMb: 12272, vramUsedMb: 1548, tempC: 45, powerW: 6, powerLimitW: 211, fanPct: null, utilPct: 0, coreClockMhz: 500, memClockMhz: 96, driverVersion: "6.3.6" },
  ],
  "rocm-smi-json-h1.json": [
    { card: 0, uuid: null, pciBusId: "0000:1e:00.0", model: MI100, vramMb: 32752, vramUsedMb: 6, tempC: 31, powerW: 39, powerLimitW: 290, fanPct: null, utilPct: 0, coreClockMhz: 300, memClockMhz: 1200, driverVersion: "6.2.4" },
    { card: 1, uuid: null, pciBusId: "0000:22:00.0", model: MI100, vramMb: 32752, vramUsedMb: 6, tempC: 30, powerW: 37, powerLimitW: 290, fanPct: null, utilPct: 0, coreClockMhz: 300, memClockMhz: 1200, driverVersion: "6.2.4" },
    { card: 2, uuid: null, pciBusId: "0000:3f:00.0", model: MI100, vramMb: 32752, vramUsedMb: 6, tempC: 31, powerW: 35, powerLimitW: 290, fanPct: null, utilPct: 0, coreClockMhz: 300, memClockMhz: 1200, driverVersion: "6.2.4" },
    { card: 3, uuid: null, pciBusId: "0000:43:00.0", model: MI100, vramMb: 32752, vramUsedMb: 6, tempC: 33, powerW: 39, powerLimitW: 290, fanPct: null, utilPct: 0, coreClockMhz: 300, memClockMhz: 1200, driverVersion: "6.2.4" },
    { card: 4, uuid: null, pciBusId: "0000:46:00.0", model: MI100, vramMb: 32752, vramUsedMb: 6, tempC: 32, powerW: 39, powerLimitW: 290, fanPct: null, utilPct: 0, coreClockMhz: 300, memClockMhz: 1200, driverVersion: "6.2.4" },
    { card: 5, uuid: null, pciBusId: "0000:49:00.0", model: MI100, vramMb: 32752, vramUsedMb: 6, tempC: 33, powerW: 40, powerLimitW: 290, fanPct: null, utilPct: 0, coreClockMhz: 300, memClockMhz: 1200, driverVersion: "6.2.4" },
  ],
  "rocm-smi-json-h2.json": [
    // "Average Graphics Package Power (W)": "N/A (Secondary die)".
    { card: 0, uuid: null, pciBusId: "0000:07:00.0", model: NAVI22, vramMb: 12272, vramUsedMb: 1500, tempC: 45, powerW: null, powerLimitW: 211, fanPct: null, utilPct: 0, coreClockMhz: 500, memClockMhz: 96, driverVersion: "6.3.6" },
  ],
  "rocm-smi-json-h3.json": [
    // No "Card series" key at all; real fan reading 13 %.
    { card: 0, uuid: "0x2150e7d042a1124", pciBusId: "0000:04:00.0", model: "AMD GPU 0x6861", vramMb: 16368, vramUsedMb: 17, tempC: 39, powerW: 15, powerLimitW: 170, fanPct: 13, utilPct: 0, coreClockMhz: 1269, memClockMhz: 167, driverVersion: "5.9.25" },
  ],
};

describe("parseRocmSmiJson on every captured rocm-smi version", () => {
  it.each(Object.entries(EXPECTED))("%s", async (file, expected) => {
    const report = parseRocmSmiJson(await readFixture(file));
    expect(report.cards.map((c) => ({ card: c.card, ...c.status }))).toEqual(
      expected.map((e, rank) => ({ ...e, index: rank, vendor: "amd" })),
    );
  });
});

describe("rocm-smi quirks", () => {
  it("reads the system-wide KFD process list (PID104225)", async () => {
    expect(parseRocmSmiJson(await readFixture("rocm-smi-json-h1.json")).processes).toEqual([
      { pid: 104225, name: "mlir-cpu-runner", type: null, usedMemoryMb: 0 },
    ]);
    expect(parseRocmSmiJson(await readFixture("rocm-smi-json-4.json")).processes).toEqual([]);
  });

  it("finds the JSON after warning lines rocm-smi prints first", async () => {
    const text = `WARNING: One or more commands failed\n${await readFixture("rocm-smi-json-3.json")}`;
    expect(parseRocmSmiJson(text).cards.map((c) => c.status.model)).toEqual(["Radeon Instinct MI50 32GB"]);
  });

  it("rejects output that is not rocm-smi JSON", () => {
    expect(() => parseRocmSmiJson("ERROR: No AMD GPUs specified")).toThrow(RocmSmiParseError);
    expect(() => parseRocmSmiJson("[1, 2]")).toThrow(RocmSmiParseError);
    expect(() => parseRocmSmiJson('{"hello": "world"}')).toThrow(RocmSmiParseError);
  });
});
