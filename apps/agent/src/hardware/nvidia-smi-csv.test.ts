import { describe, expect, it } from "vitest";
import { readFixture } from "./fake-tools";
import type { GpuStatus } from "./gpu-status";
import { NvidiaSmiCsvParseError, parseNvidiaSmiCsv, parseNvidiaSmiPowerLoop } from "./nvidia-smi-csv";

// Read by hand from ../shared/fixtures/rig/nvidia-smi-csv-*.csv (one GPU per file).
const EXPECTED: Record<string, GpuStatus> = {
  // 595 driver, 202 columns; memory/temperature.memory "N/A" and datacenter fields "[N/A]".
  "nvidia-smi-csv-query-1.csv": { index: 0, uuid: "GPU-00000000-0000-0000-0000-000000000000", pciBusId: "0000:01:00.0", vendor: "nvidia", model: "NVIDIA GeForce RTX 4080 SUPER", vramMb: 16376, vramUsedMb: 1474, tempC: 46, powerW: 84.24, powerLimitW: 320, fanPct: 0, utilPct: 7, coreClockMhz: 2805, memClockMhz: 11251, driverVersion: "595.71.05" },
  // 466.63 on Windows, 2021 field list.
  "nvidia-smi-csv-query-2.csv": { index: 0, uuid: "GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa", pciBusId: "0000:0c:00.0", vendor: "nvidia", model: "NVIDIA GeForce RTX 2080 SUPER", vramMb: 8192, vramUsedMb: 856, tempC: 35, powerW: 31.12, powerLimitW: 250, fanPct: 38, utilPct: 0, coreClockMhz: 300, memClockMhz: 405, driverVersion: "466.63" },
  // H100: fan.speed "[N/A]" -> null; bus id 00000000:00:09.0.
  "nvidia-smi-csv-query-3.csv": { index: 0, uuid: "GPU-00000000-0000-0000-0000-000000000000", pciBusId: "0000:00:09.0", vendor: "nvidia", model: "NVIDIA H100 80GB HBM3", vramMb: 81559, vramUsedMb: 19818, tempC: 59, powerW: 631.95, powerLimitW: 700, fanPct: null, utilPct: 100, coreClockMhz: 1980, memClockMhz: 2619, driverVersion: "590.48.01" },
  // 610 driver: power.draw.average "[N/A]" but power.draw is read.
  "nvidia-smi-csv-query-4.csv": { index: 0, uuid: "GPU-00000000-0000-0000-0000-000000000000", pciBusId: "0000:0c:00.0", vendor: "nvidia", model: "NVIDIA GeForce RTX 2080 SUPER", vramMb: 8192, vramUsedMb: 211, tempC: 33, powerW: 39.17, powerLimitW: 250, fanPct: 38, utilPct: 0, coreClockMhz: 765, memClockMhz: 810, driverVersion: "610.57.04" },
  "nvidia-smi-csv-query-5.csv": { index: 0, uuid: "GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa", pciBusId: "0000:0c:00.0", vendor: "nvidia", model: "NVIDIA GeForce RTX 2080 SUPER", vramMb: 8192, vramUsedMb: 876, tempC: 36, powerW: 32.7, powerLimitW: 250, fanPct: 38, utilPct: 2, coreClockMhz: 111, memClockMhz: 267, driverVersion: "471.11" },
  "nvidia-smi-csv-query-h1.csv": { index: 0, uuid: "GPU-00000000-0000-0000-0000-000000000000", pciBusId: "0000:0c:00.0", vendor: "nvidia", model: "NVIDIA GeForce RTX 2080 SUPER", vramMb: 8192, vramUsedMb: 1366, tempC: 44, powerW: 97.99, powerLimitW: 250, fanPct: 38, utilPct: 7, coreClockMhz: 2040, memClockMhz: 7500, driverVersion: "610.62" },
  "nvidia-smi-csv-query-h2.csv": { index: 0, uuid: "GPU-00000000-0000-0000-0000-000000000000", pciBusId: "0000:01:00.0", vendor: "nvidia", model: "NVIDIA L40S", vramMb: 46068, vramUsedMb: 1235, tempC: 54, powerW: 110.23, powerLimitW: 350, fanPct: null, utilPct: 9, coreClockMhz: 2520, memClockMhz: 9001, driverVersion: "595.80" },
  "nvidia-smi-csv-query-h3.csv": { index: 0, uuid: "GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa", pciBusId: "0000:0c:00.0", vendor: "nvidia", model: "NVIDIA GeForce RTX 2080 SUPER", vramMb: 7979, vramUsedMb: 344, tempC: 32, powerW: 30.37, powerLimitW: 250, fanPct: 38, utilPct: 0, coreClockMhz: 300, memClockMhz: 405, driverVersion: "465.27" },
  // --format=csv,nounits with a short field list: no index (row position), no memory.total, bus id,
  // limit or driver; fan "[N/A]"; no trailing newline.
  "nvidia-smi-csv-nounits-1.csv": { index: 0, uuid: "GPU-ef1b2c9b-38d8-2090-2bd1-f567a3eb42a6", pciBusId: null, vendor: "nvidia", model: "Tesla P100-PCIE-16GB", vramMb: null, vramUsedMb: 0, tempC: 37, powerW: 28.16, powerLimitW: null, fanPct: null, utilPct: 0, coreClockMhz: 405, memClockMhz: 715, driverVersion: null },
};

describe("parseNvidiaSmiCsv", () => {
  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(file, async () => {
      expect(parseNvidiaSmiCsv(await readFixture(file))).toEqual([expected]);
    });
  }

  it("reads two GPUs in row order and placeholders of either spelling as null", () => {
    const csv = "index, name, power.draw [W], temperature.gpu, fan.speed [%]\n0, A, [N/A], N/A, 30 %\n1, B, 120.5 W, 61, [Unknown Error]\n";
    expect(parseNvidiaSmiCsv(csv).map((g) => [g.index, g.model, g.powerW, g.tempC, g.fanPct])).toEqual([
      [0, "A", null, null, 30],
      [1, "B", 120.5, 61, null],
    ]);
  });

  it("rejects something that is not nvidia-smi CSV", () => {
    expect(() => parseNvidiaSmiCsv("")).toThrow(NvidiaSmiCsvParseError);
    expect(() => parseNvidiaSmiCsv("No devices were found\n")).toThrow(NvidiaSmiCsvParseError);
    expect(() => parseNvidiaSmiCsv("index, name\n0, A, extra\n")).toThrow("row 1 has 3 fields, the header 2");
  });
});

describe("parseNvidiaSmiPowerLoop", () => {
  it("nvidia-smi-csv-loop-1.csv: 73 samples at ~50 ms", async () => {
    const samples = parseNvidiaSmiPowerLoop(await readFixture("nvidia-smi-csv-loop-1.csv"));
    expect(samples).toHaveLength(73);
    expect(samples[0]).toEqual({ timestamp: "2024/10/30 18:42:33.189", offsetMs: 0, gpuIndex: null, powerW: 22.89 });
    expect(samples[1]).toEqual({ timestamp: "2024/10/30 18:42:33.239", offsetMs: 50, gpuIndex: null, powerW: 22.73 });
    // Repeated values stay: they were sampled.
    expect(samples[2]!.powerW).toBe(22.73);
    expect(samples.at(-1)).toEqual({ timestamp: "2024/10/30 18:42:36.813", offsetMs: 3624, gpuIndex: null, powerW: 22.63 });
  });

  it("nvidia-smi-csv-loop-h1.csv: 65 samples at ~100 ms, load rising", async () => {
    const samples = parseNvidiaSmiPowerLoop(await readFixture("nvidia-smi-csv-loop-h1.csv"));
    expect(samples).toHaveLength(65);
    expect(samples.slice(0, 3).map((s) => [s.offsetMs, s.powerW])).toEqual([[0, 18.81], [100, 19.02], [200, 19.38]]);
    expect(samples.at(-1)).toEqual({ timestamp: "2025/04/24 15:59:04.304", offsetMs: 6425, gpuIndex: null, powerW: 37.87 });
  });

  it("needs a timestamp column", () => {
    expect(() => parseNvidiaSmiPowerLoop("power.draw [W]\n22 W\n")).toThrow("no timestamp column");
  });
});
