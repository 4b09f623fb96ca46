import { describe, expect, it } from "vitest";
import type { TelemetryRow } from "../queries/telemetry";
import { telemetryCopyChunks } from "./copy-binary";

const row: TelemetryRow = {
  rigId: "0b5f1c3e-8a7d-4c2b-9e1f-3a4b5c6d7e8f", seq: 7, gpuIndex: 0, gpuId: "9f8e7d6c-5b4a-4321-8fed-cba987654321",
  at: new Date("2026-12-03T12:00:00.123Z"), mode: "HASHING", coin: "ETC", workloadId: null,
  hashrateHs: 61.5e6, tempC: 60, powerW: 220, fanPct: 55, utilPct: 99, vramUsedMb: 4500,
};
const encode = (rows: TelemetryRow[]) => Buffer.concat([...telemetryCopyChunks(rows)]);

describe("binary COPY of telemetry rows", () => {
  it("frames the rows as PostgreSQL reads them: signature, one tuple of 14 fields per row, trailer", () => {
    const bytes = encode([row, { ...row, seq: 8 }]);
    expect(bytes.subarray(0, 11).toString("latin1")).toBe("PGCOPY\n\xff\r\n\0");
    expect(bytes.readInt16BE(19)).toBe(14);
    // rigId: length 16, then its bytes.
    expect(bytes.readInt32BE(21)).toBe(16);
    expect(bytes.subarray(25, 41).toString("hex")).toBe(row.rigId.replaceAll("-", ""));
    expect(bytes.readInt16BE(bytes.length - 2)).toBe(-1);
    expect(encode([])).toHaveLength(19 + 2);
  });

  it("spreads a large batch over chunks and loses no row", () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ ...row, seq: i }));
    const chunks = [...telemetryCopyChunks(rows)];
    expect(chunks.length).toBeGreaterThan(1);
    const bytes = Buffer.concat(chunks);
    // Every row here has the same size: header, rows, trailer.
    const one = encode([row]).length - 19 - 2;
    expect(bytes.length).toBe(19 + rows.length * one + 2);
  });

  it("refuses an id that is not a uuid, naming the column, instead of writing garbage", () => {
    expect(() => encode([{ ...row, gpuId: "not-a-uuid" }])).toThrow(/gpuId is not a uuid/);
    expect(() => encode([{ ...row, workloadId: "0b5f1c3e-8a7d-4c2b-9e1f-3a4b5c6d7e8g" }])).toThrow(/workloadId is not a uuid/);
  });

  it("refuses a text over 64 bytes and a seq past 2^53", () => {
    expect(() => encode([{ ...row, coin: "€".repeat(22) }])).toThrow(/coin is longer than 64 bytes/);
    expect(() => encode([{ ...row, seq: 2 ** 53 }])).toThrow(/seq .* is not a safe integer/);
  });
});
