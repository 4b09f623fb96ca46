import { describe, expect, it } from "vitest";
import type { TelemetryRow } from "../queries/telemetry";
import { groupTelemetryMessages, telemetryCopyChunks } from "./copy-binary";

const row: TelemetryRow = {
  rigId: "0b5f1c3e-8a7d-4c2b-9e1f-3a4b5c6d7e8f", seq: 7, gpuIndex: 0, gpuId: "9f8e7d6c-5b4a-4321-8fed-cba987654321",
  at: new Date("2026-12-03T12:00:00.123Z"), mode: "HASHING", coin: "ETC", workloadId: null,
  hashrateHs: 61.5e6, tempC: 60, powerW: 220, fanPct: 55, utilPct: 99, vramUsedMb: 4500,
};
const types = { gpuModeOid: 16_500 };
const message = (seq: number, gpus: number, over: Partial<TelemetryRow> = {}) =>
  Array.from({ length: gpus }, (_, gpuIndex) => ({ ...row, seq, gpuIndex, ...over }));
const encode = (rows: TelemetryRow[]) => Buffer.concat([...telemetryCopyChunks(groupTelemetryMessages(rows), types)]);

/** Field `n` of the first tuple: its offset and length (after the 19-byte header and the field count). */
const field = (bytes: Buffer, n: number) => {
  let at = 19 + 2;
  for (let i = 0; i < n; i++) at += 4 + Math.max(0, bytes.readInt32BE(at));
  return { at: at + 4, length: bytes.readInt32BE(at) };
};

describe("grouping GPU rows into rig messages", () => {
  it("makes one message per rig, seq and time, in the order they first appear, each GPU once", () => {
    const other = { rigId: "1b5f1c3e-8a7d-4c2b-9e1f-3a4b5c6d7e8f" };
    const [a0, a1] = message(1, 2);
    const [b0] = message(1, 1, other);
    const messages = groupTelemetryMessages([a0!, b0!, a1!, { ...a0!, hashrateHs: 1 }, ...message(2, 1)]);
    expect(messages.map((m) => [m.rigId, m.seq, m.gpus.map((g) => g.index), m.gpuIds])).toEqual([
      [row.rigId, 1, [0, 1], [row.gpuId, row.gpuId]],
      [other.rigId, 1, [0], [row.gpuId]],
      [row.rigId, 2, [0], [row.gpuId]],
    ]);
    // The first copy of a GPU's row wins, as the table keeps the first copy of a message.
    expect(messages[0]!.gpus[0]!.hashrateHs).toBe(row.hashrateHs);
  });

  it("keeps a resend with another time apart: its key differs", () => {
    const later = message(1, 1, { at: new Date(row.at.getTime() + 1) });
    expect(groupTelemetryMessages([...message(1, 1), ...later])).toHaveLength(2);
  });
});

describe("binary COPY of telemetry messages", () => {
  it("frames a message as PostgreSQL reads it: signature, one tuple of 14 fields, arrays of its GPUs, trailer", () => {
    const bytes = encode([...message(7, 3), ...message(8, 3)]);
    expect(bytes.subarray(0, 11).toString("latin1")).toBe("PGCOPY\n\xff\r\n\0");
    expect(bytes.readInt16BE(19)).toBe(14);
    const rigId = field(bytes, 0);
    expect(rigId.length).toBe(16);
    expect(bytes.subarray(rigId.at, rigId.at + 16).toString("hex")).toBe(row.rigId.replaceAll("-", ""));
    expect(bytes.readInt32BE(field(bytes, 1).at + 4)).toBe(7);
    // gpuIndex: one dimension, no NULL, int4 elements, 3 of them from 1, then each as a field.
    const index = field(bytes, 3).at;
    expect([0, 4, 8, 12, 16].map((o) => bytes.readInt32BE(index + o))).toEqual([1, 0, 23, 3, 1]);
    expect([0, 1, 2].map((i) => bytes.readInt32BE(index + 20 + i * 8 + 4))).toEqual([0, 1, 2]);
    // mode: the enum's element type as the database names it.
    expect(bytes.readInt32BE(field(bytes, 5).at + 8)).toBe(types.gpuModeOid);
    // workloadId: all NULL, so the array says it holds a NULL.
    const workload = field(bytes, 7).at;
    expect(bytes.readInt32BE(workload + 4)).toBe(1);
    expect(bytes.readInt32BE(workload + 20)).toBe(-1);
    expect(bytes.readInt16BE(bytes.length - 2)).toBe(-1);
    expect(encode([])).toHaveLength(19 + 2);
  });

  it("spreads a large batch over chunks and loses no message, a message past a chunk's size included", () => {
    const rows = Array.from({ length: 5000 }, (_, i) => message(i, 8)).flat();
    const chunks = [...telemetryCopyChunks(groupTelemetryMessages(rows), types)];
    expect(chunks.length).toBeGreaterThan(1);
    const one = encode(message(0, 8)).length - 19 - 2;
    expect(Buffer.concat(chunks).length).toBe(19 + 5000 * one + 2);

    const huge = message(1, 1024);
    const hugeChunks = [...telemetryCopyChunks(groupTelemetryMessages([...message(0, 8), ...huge, ...message(2, 8)]), types)];
    expect(Buffer.concat(hugeChunks).length).toBe(19 + one * 2 + (encode(huge).length - 21) + 2);
  });

  it("refuses an id that is not a uuid, naming the column, instead of writing garbage", () => {
    expect(() => encode([{ ...row, gpuId: "not-a-uuid" }])).toThrow(/gpuId is not a uuid/);
    expect(() => encode([{ ...row, workloadId: "0b5f1c3e-8a7d-4c2b-9e1f-3a4b5c6d7e8g" }])).toThrow(/workloadId is not a uuid/);
  });

  it("refuses a message whose GPU ids do not pair with its GPUs", () => {
    const [m] = groupTelemetryMessages(message(7, 2));
    expect(() => [...telemetryCopyChunks([{ ...m!, gpuIds: m!.gpuIds.slice(1) }], types)]).toThrow(/message 7 has 2 GPUs and 1 GPU ids/);
  });

  it("refuses a text over 64 bytes and a seq past 2^53", () => {
    expect(() => encode([{ ...row, coin: "€".repeat(22) }])).toThrow(/coin is longer than 64 bytes/);
    expect(() => encode([{ ...row, seq: 2 ** 53 }])).toThrow(/seq .* is not a safe integer/);
  });
});
