import { afterAll, beforeAll, expect, it } from "vitest";
import { groupTelemetryMessages } from "../telemetry/copy-binary";
import { createTelemetryWriter } from "../telemetry/copy-telemetry";
import { createTestDatabase, insertTestFarm, type TestDatabase, type TestFarm } from "../testing";
import type { TelemetryRow } from "./telemetry";
import { foldLateTelemetry, foldTelemetry, recordRollupCoverage } from "./telemetry-rollups";

// A late mark widened by a batch that lands while the minute job is re-folding the rig must
// survive the job: the job deletes only the span it read.

const MAX_GAP_S = 120;
const NOW = new Date("2026-11-18T12:00:00Z");
let tdb: TestDatabase;
let farm: TestFarm;

const sample = (seq: number, at: string): TelemetryRow => ({
  rigId: farm.rigId, seq, gpuIndex: 0, gpuId: farm.gpuIds[0]!, at: new Date(at), mode: "HASHING", coin: "ETC", workloadId: null,
  hashrateHs: 50e6, tempC: 60, powerW: 200, fanPct: 50, utilPct: 99, vramUsedMb: 4000,
});

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
});
afterAll(() => tdb.drop());

it("keeps a late mark that a batch widened while the job was folding it, and folds it on the next run", async () => {
  const writer = createTelemetryWriter({ databaseUrl: tdb.url, now: () => NOW });
  try {
    await writer.write(groupTelemetryMessages([sample(1, "2026-11-18T11:00:05Z"), sample(2, "2026-11-18T11:00:15Z")]));
    // The minute job has folded to 11:30 (minutes with no sample have no rows: only its coverage says so).
    await foldTelemetry(tdb.db, { unit: "minute", from: new Date("2026-11-18T11:00:00Z"), to: new Date("2026-11-18T11:30:00Z"), maxGapS: MAX_GAP_S });
    await recordRollupCoverage(tdb.db, { unit: "minute", from: new Date("2026-11-18T11:00:00Z"), to: new Date("2026-11-18T11:30:00Z") });
    expect(await tdb.db.telemetryLate.count()).toBe(1);

    // Another fold of minutes holds the unit's lock: the job reads the mark, then waits for it.
    let job: Promise<{ marks: number }> | undefined;
    await tdb.db.$transaction(async (other) => {
      await other.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('rigshift:fold:minute'))`;
      job = foldLateTelemetry(tdb.db, { maxGapS: MAX_GAP_S, now: NOW, notBefore: new Date(0) });
      await new Promise((r) => setTimeout(r, 500));
      // Meanwhile the rig replays more: its mark widens to 11:10:05.
      await writer.write(groupTelemetryMessages([sample(3, "2026-11-18T11:10:05Z")]));
    }, { timeout: 10_000 });
    expect(await job).toMatchObject({ marks: 1 });
    const [mark] = await tdb.db.telemetryLate.findMany();
    expect(mark).toMatchObject({ from: new Date("2026-11-18T11:00:05Z"), to: new Date("2026-11-18T11:10:05Z") });

    // The next run folds the widened span (11:10's minute now has its sample) and deletes the mark.
    expect(await foldLateTelemetry(tdb.db, { maxGapS: MAX_GAP_S, now: NOW, notBefore: new Date(0) })).toMatchObject({ marks: 1 });
    expect(await tdb.db.telemetryLate.count()).toBe(0);
    const minute = await tdb.db.telemetryMinute.findMany({ where: { bucket: new Date("2026-11-18T11:10:00Z") } });
    expect(minute.map((m) => m.samples)).toEqual([1]);
  } finally {
    await writer.close();
  }
});
