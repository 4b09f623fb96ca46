import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, insertTestFarm, type TestDatabase, type TestFarm } from "../testing";
import { listGpuSamples } from "./fleet";

let tdb: TestDatabase;
let farm: TestFarm;
const start = new Date("2026-11-20T10:00:00Z");

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
  // Samples every 60 s for 20 min, nothing for 30 min (the rig was cut off and dropped them), then 10 min more.
  const minutes = [...Array.from({ length: 20 }, (_, m) => m), ...Array.from({ length: 10 }, (_, m) => 50 + m)];
  await tdb.db.telemetrySample.createMany({
    data: minutes.map((m, i) => ({
      rigId: farm.rigId, seq: BigInt(i), gpuIndex: 0, gpuId: farm.gpuIds[0]!, at: new Date(start.getTime() + m * 60_000),
      mode: "HASHING" as const, coin: "ETC", hashrateHs: 48e6, tempC: 60, powerW: 115,
    })),
  });
});
afterAll(() => tdb.drop());

it("charts an hour with an outage as two lines with a gap, not a line across it", async () => {
  const points = await listGpuSamples(tdb.db, farm.gpuIds[0]!, { from: start, to: new Date(start.getTime() + 3_600_000) });
  const gaps = points.filter((p) => p.hashrateHs === null);
  expect(gaps).toHaveLength(1);
  const gapAt = Date.parse(gaps[0]!.at);
  expect(gapAt).toBeGreaterThan(start.getTime() + 19 * 60_000);
  expect(gapAt).toBeLessThan(start.getTime() + 50 * 60_000);
  expect(points.filter((p) => p.hashrateHs !== null).every((p) => p.hashrateHs === 48e6)).toBe(true);
});
