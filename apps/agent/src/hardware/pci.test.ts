import { describe, expect, it } from "vitest";
import { normalisePciBusId, parsePciAddress, pciBusNumber, samePciDevice } from "./pci";

describe("normalisePciBusId", () => {
  it.each([
    // source (FORMATS.md table), spelling, canonical
    ["nvidia-smi 8-digit domain", "00000000:01:00.0", "hex", "0000:01:00.0"],
    ["nvidia-smi real domain (Azure K80)", "00001580:00:00.0", "hex", "1580:00:00.0"],
    ["nvidia-smi upper-case hex", "00000000:0C:00.0", "hex", "0000:0c:00.0"],
    ["VMD domain above 0xffff keeps its digits", "00010000:E1:00.0", "hex", "10000:e1:00.0"],
    ["rocm-smi", "0000:07:00.0", "hex", "0000:07:00.0"],
    ["GMiner upper-case", "0000:0A:00.0", "hex", "0000:0a:00.0"],
    ["XMRig / nanominer without domain", "01:00.0", "hex", "0000:01:00.0"],
    ["lolMiner decimal bus:device", "16:0", "decimal", "0000:10:00.0"],
    ["lolMiner decimal bus 22", "22:0", "decimal", "0000:16:00.0"],
    ["NBMiner decimal integer", 48, "decimal", "0000:30:00.0"],
    ["SRBMiner decimal string", "13", "decimal", "0000:0d:00.0"],
    ["padded with a NUL", "0000:01:00.0\u0000", "hex", "0000:01:00.0"],
  ] as const)("%s: %s", (_source, raw, spelling, expected) => {
    expect(normalisePciBusId(raw, spelling)).toBe(expected);
  });

  it("rejects what is not an address instead of guessing", () => {
    expect(normalisePciBusId("busid")).toBeNull(); // miniZ placeholder
    expect(normalisePciBusId("")).toBeNull();
    expect(normalisePciBusId(null)).toBeNull();
    expect(normalisePciBusId("-1", "decimal")).toBeNull();
    expect(normalisePciBusId("300", "decimal")).toBeNull(); // no bus 300
    expect(normalisePciBusId("0000:01:00.9")).toBeNull(); // functions are 0-7
  });

  it("reads the same digits differently by spelling: decimal 16 is bus 0x10", () => {
    expect(pciBusNumber("0000:16:00.0")).toBe(22);
    expect(pciBusNumber("16:0", "decimal")).toBe(16);
    expect(pciBusNumber(1, "decimal")).toBe(1);
  });
});

describe("samePciDevice", () => {
  const nvidia = parsePciAddress("00000000:0A:00.0")!;
  it("joins a miner's bare decimal bus to nvidia-smi's full address", () => {
    expect(samePciDevice(parsePciAddress(10, "decimal")!, nvidia)).toBe(true);
    expect(samePciDevice(parsePciAddress("0000:0A:00.0")!, nvidia)).toBe(true);
    expect(samePciDevice(parsePciAddress("10:0", "decimal")!, nvidia)).toBe(true);
  });
  it("does not join different buses or different known domains", () => {
    expect(samePciDevice(parsePciAddress(11, "decimal")!, nvidia)).toBe(false);
    expect(samePciDevice(parsePciAddress("00001580:0A:00.0")!, nvidia)).toBe(false);
  });
});
