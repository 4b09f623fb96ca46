import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing";
import type { TelemetryRow } from "../queries/telemetry";
import { createTelemetryWriter, type TelemetryWriter } from "./copy-telemetry";

let tdb: TestDatabase;
let writer: TelemetryWriter;
const rigId = randomUUID();
const gpuIds = [randomUUID(), randomUUID()];

const message = (seq: number, hashrateHs = 50e6): TelemetryRow[] =>
  gpuIds.map((gpuId, gpuIndex) => ({
    rigId, seq, gpuIndex, gpuId, at: new Date(Date.UTC(2026, 10, 18, 10, 0, seq)), mode: "HASHING", coin: "ETC",
    workloadId: null, hashrateHs, tempC: 61.5, powerW: 120, fanPct: 40, utilPct: 100, vramUsedMb: 4096,
  }));

const stored = () =>
  tdb.db.telemetrySample.findMany({ where: { rigId }, orderBy: [{ seq: "asc" }, { gpuIndex: "asc" }], select: { seq: true, gpuIndex: true, hashrateHs: true } });

beforeAll(async () => {
  tdb = await createTestDatabase();
  writer = createTelemetryWriter({ databaseUrl: tdb.url });
});

afterAll(async () => {
  await writer.close();
  await tdb.drop();
});

describe("COPY telemetry writer", () => {
  it("stores every column as sent, nulls and odd text included", async () => {
    const [row] = message(0);
    await writer.write([{ ...row!, seq: 999, coin: "A\tB\\C\nD", hashrateHs: null, workloadId: null, vramUsedMb: null }]);
    const back = await tdb.db.telemetrySample.findFirstOrThrow({ where: { rigId, seq: 999n } });
    expect(back).toMatchObject({ coin: "A\tB\\C\nD", hashrateHs: null, tempC: 61.5, powerW: 120, mode: "HASHING", at: row!.at, gpuId: gpuIds[0] });
    await tdb.db.telemetrySample.deleteMany({ where: { rigId } });
  });

  it("stores a message once when it is repeated inside one batch", async () => {
    const written = await writer.write([...message(1), ...message(1), ...message(2), ...message(1)]);
    expect(written).toBe(4);
    expect(await stored()).toHaveLength(4);
  });

  it("stores a message once when it is resent in a later batch, keeping the first copy", async () => {
    const written = await writer.write([...message(2, 1), ...message(3)]);
    expect(written).toBe(2);
    const rows = await stored();
    expect(rows.map((r) => [Number(r.seq), r.gpuIndex])).toEqual([[1, 0], [1, 1], [2, 0], [2, 1], [3, 0], [3, 1]]);
    expect(rows.every((r) => r.hashrateHs === 50e6)).toBe(true);
  });

  it("writes nothing for an empty batch", async () => {
    expect(await writer.write([])).toBe(0);
  });
});
