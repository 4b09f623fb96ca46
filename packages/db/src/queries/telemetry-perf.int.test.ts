import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, insertTestFarm, type TestDatabase, type TestFarm } from "../testing";
import { insertTelemetrySamples } from "./telemetry";
import { learnGpuModelPerf } from "./telemetry-perf";
import { foldTelemetry } from "./telemetry-rollups";

let tdb: TestDatabase;
let farm: TestFarm;
const T0 = new Date("2026-11-20T10:00:00Z");
const MIN = 60_000;

type Part = { mode: "HASHING" | "AI" | "IDLE"; coin?: string; workload?: boolean; hashrateHs?: number; powerW: number };

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
  // RVN's algorithm comes from its quote; ETC's from the test farm's miner profile.
  await tdb.db.marketQuote.create({ data: { kind: "COIN", symbol: "RVN", algorithm: "kawpow", at: T0, priceUsd: "0.02", usdPerHsDay: "0.00000003", source: "test" } });
  const [gpu3060, gpu3090] = farm.gpuIds as [string, string];
  // Minute by minute over three hours: what each GPU does.
  const plan = (gpuIndex: number, m: number): Part => {
    if (gpuIndex === 0) {
      if (m < 60) return { mode: "HASHING", coin: "ETC", hashrateHs: 47e6, powerW: 110 };
      if (m < 120) return { mode: "HASHING", coin: "ETC", hashrateHs: 48e6, powerW: 115 };
      if (m < 150) return { mode: "HASHING", coin: "ETC", hashrateHs: 52e6, powerW: 130 };
      return { mode: "IDLE", powerW: 20 };
    }
    if (m < 60) return { mode: "HASHING", coin: "RVN", hashrateHs: 55e6, powerW: 290 };
    // A coin nobody says the algorithm of: left out.
    if (m < 90) return { mode: "HASHING", coin: "XYZ", hashrateHs: 1e6, powerW: 200 };
    return { mode: "AI", workload: true, powerW: 300 };
  };
  await insertTelemetrySamples(tdb.db,
    [gpu3060, gpu3090].flatMap((gpuId, gpuIndex) =>
      Array.from({ length: 180 }, (_, m) => {
        const p = plan(gpuIndex, m);
        return {
          rigId: farm.rigId, seq: m, gpuIndex, gpuId, at: new Date(T0.getTime() + m * MIN), mode: p.mode, coin: p.coin ?? null,
          workloadId: p.workload ? farm.workloadId : null, hashrateHs: p.hashrateHs ?? null, powerW: p.powerW, tempC: 60,
        };
      }),
    ),
  );
  await foldTelemetry(tdb.db, { unit: "hour", from: T0, to: new Date(T0.getTime() + 180 * MIN), maxGapS: 120 });
});
afterAll(() => tdb.drop());

it("learns each model's hashrate and power per algorithm, and its AI and idle power, with the GPU-hours behind them", async () => {
  const perf = await learnGpuModelPerf(tdb.db, { since: T0, until: new Date(T0.getTime() + 3 * 60 * MIN) });
  const find = (model: string, mode: string, algorithm: string | null = null) => perf.find((p) => p.model.endsWith(model) && p.mode === mode && p.algorithm === algorithm);
  expect(perf).toHaveLength(4);

  // The 3060 hashed ETC for 2.5 h: 47 MH/s for an hour, 48 for an hour, 52 for half an hour.
  // Median by time: 48 (the middle of 2.5 h falls in the 48 MH/s hour); mean: 48.4 MH/s.
  const etc = find("3060", "HASHING", "etchash")!;
  expect(etc.gpuHours).toBeCloseTo(2.5, 9);
  expect(etc.hashrateHs!.median).toBeCloseTo(48e6, 3);
  expect(etc.hashrateHs!.mean).toBeCloseTo((47 * 1 + 48 * 1 + 52 * 0.5) / 2.5 * 1e6, 3);
  expect(etc.powerW.median).toBeCloseTo(115, 9);
  expect(etc.powerW.mean).toBeCloseTo((110 + 115 + 130 * 0.5) / 2.5, 9);
  // Its last sample stands for 2 min past the window: only the minute inside it counts.
  expect(find("3060", "IDLE")).toMatchObject({ algorithm: null, hashrateHs: null, powerW: { median: 20, mean: 20 }, gpuHours: 0.5 });

  expect(find("3090", "HASHING", "kawpow")).toMatchObject({ hashrateHs: { median: 55e6, mean: 55e6 }, powerW: { median: 290, mean: 290 }, gpuHours: 1 });
  expect(find("3090", "AI")).toMatchObject({ hashrateHs: null, powerW: { median: 300, mean: 300 }, gpuHours: 1.5 });
  expect(perf.some((p) => p.algorithm === null && p.mode === "HASHING")).toBe(false);
});

it("counts only the hours since the date asked for", async () => {
  const perf = await learnGpuModelPerf(tdb.db, { since: new Date(T0.getTime() + 120 * MIN), until: new Date(T0.getTime() + 180 * MIN) });
  expect(perf.map((p) => [p.model.slice(-4), p.mode, p.algorithm, p.gpuHours])).toEqual([
    ["3060", "HASHING", "etchash", 0.5],
    ["3060", "IDLE", null, 0.5],
    ["3090", "AI", null, 1],
  ]);
});
