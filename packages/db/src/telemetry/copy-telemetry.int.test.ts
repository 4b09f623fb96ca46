import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing";
import type { TelemetryRow } from "../queries/telemetry";
import { groupTelemetryMessages } from "./copy-binary";
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
    await writer.write(groupTelemetryMessages([{ ...row!, seq: 999, coin: "A\tB\\C\nD", hashrateHs: null, workloadId: null, vramUsedMb: null }]));
    const back = await tdb.db.telemetrySample.findFirstOrThrow({ where: { rigId, seq: 999n } });
    expect(back).toMatchObject({ coin: "A\tB\\C\nD", hashrateHs: null, tempC: 61.5, powerW: 120, mode: "HASHING", at: row!.at, gpuId: gpuIds[0] });
    await tdb.db.telemetryMessage.deleteMany({ where: { rigId } });
  });

  it("stores a message once when it is repeated inside one batch", async () => {
    const [one, two] = groupTelemetryMessages([...message(1), ...message(2)]);
    const written = await writer.write([one!, one!, two!, one!]);
    expect(written).toBe(4);
    expect(await stored()).toHaveLength(4);
  });

  it("stores a message once when it is resent in a later batch, keeping the first copy", async () => {
    const written = await writer.write(groupTelemetryMessages([...message(2, 1), ...message(3)]));
    expect(written).toBe(2);
    const rows = await stored();
    expect(rows.map((r) => [Number(r.seq), r.gpuIndex])).toEqual([[1, 0], [1, 1], [2, 0], [2, 1], [3, 0], [3, 1]]);
    expect(rows.every((r) => r.hashrateHs === 50e6)).toBe(true);
  });

  it("stores any rows exactly as sent: every column, at its limits, nulls and UTF-8 text included", async () => {
    const reading = (max: number) => fc.option(fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true }), { nil: null });
    const row = fc.record({
      // A few rigs, interleaved: the encoder reuses a rig's bytes from the row before.
      rig: fc.integer({ min: 0, max: 2 }),
      seq: fc.maxSafeInteger().filter((n) => n >= 0),
      gpuIndex: fc.integer({ min: 0, max: 63 }),
      gpuId: fc.uuid(),
      // Before and after PostgreSQL's 2000 epoch, to the millisecond.
      at: fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }).map((ms) => new Date(ms)),
      mode: fc.constantFrom("HASHING", "AI", "IDLE", "OFFLINE", "DRAINING_HASHING", "STARTING_AI" as const),
      coin: fc.option(fc.string({ unit: "grapheme", maxLength: 16 }), { nil: null }),
      workloadId: fc.option(fc.uuid(), { nil: null }),
      hashrateHs: reading(1e15), tempC: reading(150), powerW: reading(2000), fanPct: reading(100), utilPct: reading(100),
      vramUsedMb: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null }),
    });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(row, { minLength: 1, maxLength: 40, selector: (r) => `${r.rig}/${r.seq}/${r.gpuIndex}/${r.at.getTime()}` }), async (drawn) => {
        const rigIds = [randomUUID(), randomUUID(), randomUUID()];
        const rows: TelemetryRow[] = drawn.map(({ rig, ...r }) => ({ ...r, rigId: rigIds[rig]! }));
        expect(await writer.write(groupTelemetryMessages(rows))).toBe(rows.length);
        const back = await tdb.db.telemetrySample.findMany({ where: { rigId: { in: rigIds } } });
        type Keyed = { rigId: string; seq: number | bigint; gpuIndex: number; at: Date };
        const key = (r: Keyed) => `${r.rigId}/${r.seq}/${r.gpuIndex}/${r.at.getTime()}`;
        const sorted = <T extends Keyed>(xs: T[]) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));
        expect(sorted(back).map((b) => ({ ...b, seq: Number(b.seq) }))).toEqual(sorted(rows));
      }),
      { numRuns: 40 },
    );
  });

  it("marks each rig's late messages in the batch's transaction, and only those", async () => {
    const now = new Date(Date.UTC(2026, 10, 18, 10, 5, 0));
    const late = createTelemetryWriter({ databaseUrl: tdb.url, now: () => now });
    try {
      const [spooling, other] = [randomUUID(), randomUUID()];
      const at = (s: number) => new Date(now.getTime() - s * 1000);
      const rows = (rig: string, seq: number, ageS: number) => message(seq).map((r) => ({ ...r, rigId: rig, seq: seq + 100_000, at: at(ageS) }));
      // A rig replaying its spool (10 min and 2 min old) next to a current message; another rig only current ones.
      await late.write(groupTelemetryMessages([...rows(spooling, 1, 600), ...rows(spooling, 2, 120), ...rows(spooling, 3, 5), ...rows(other, 1, 59)]));
      const marks = await tdb.db.telemetryLate.findMany({ where: { rigId: { in: [spooling, other] } } });
      expect(marks.map((m) => [m.rigId, m.from, m.to])).toEqual([[spooling, at(600), at(120)]]);
      // A later late batch of the rig widens its one mark rather than adding another.
      await late.write(groupTelemetryMessages(rows(spooling, 4, 900)));
      expect((await tdb.db.telemetryLate.findMany({ where: { rigId: spooling } })).map((m) => [m.from, m.to])).toEqual([[at(900), at(120)]]);
      // A batch that is refused leaves no mark.
      await expect(late.write(groupTelemetryMessages([...rows(other, 2, 600), { ...rows(other, 3, 600)[0]!, gpuId: "not-a-uuid" }]))).rejects.toThrow(/gpuId is not a uuid/);
      expect(await tdb.db.telemetryLate.count({ where: { rigId: other } })).toBe(0);
    } finally {
      await late.close();
    }
  });

  it("writes nothing for an empty batch", async () => {
    expect(await writer.write([])).toBe(0);
  });
});
