import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv, ZSharedConfig } from "@rigshift/config";
import { createGpuLiveStore } from "../live/gpu-live-store";
import { createTestDatabase, insertTestFarm, testRedisPrefix, type TestDatabase, type TestFarm } from "../testing";
import { getGpuView, listGpuSamples, listGpuViews } from "./fleet";
import { insertTelemetrySamples } from "./telemetry";
import { listGpuChart } from "./telemetry-chart";
import { foldTelemetry } from "./telemetry-rollups";

let tdb: TestDatabase;
let farm: TestFarm;
const start = new Date("2026-11-20T10:00:00Z");

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
  // Samples every 60 s for 20 min, nothing for 30 min (the rig was cut off and dropped them), then 10 min more.
  const minutes = [...Array.from({ length: 20 }, (_, m) => m), ...Array.from({ length: 10 }, (_, m) => 50 + m)];
  await insertTelemetrySamples(tdb.db, minutes.map((m, i) => ({
    rigId: farm.rigId, seq: i, gpuIndex: 0, gpuId: farm.gpuIds[0]!, at: new Date(start.getTime() + m * 60_000),
    mode: "HASHING" as const, coin: "ETC", hashrateHs: 48e6, tempC: 60, powerW: 115,
  })));
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

describe("charts from rollups", () => {
  const hour = () => ({ from: start, to: new Date(start.getTime() + 3_600_000) });

  it("serves an hour from the minute rollups once folded, with the same gap", async () => {
    const before = await listGpuChart(tdb.db, farm.gpuIds[0]!, hour());
    await foldTelemetry(tdb.db, { unit: "minute", from: start, to: new Date(start.getTime() + 2 * 3_600_000), maxGapS: 120 });
    // Raw rows of the first 10 minutes go (as retention would drop them): a chart still has them only if it reads the rollups.
    // (The rig's messages hold only this GPU.)
    await tdb.db.telemetryMessage.deleteMany({ where: { rigId: farm.rigId, at: { lt: new Date(start.getTime() + 10 * 60_000) } } });
    const chart = await listGpuChart(tdb.db, farm.gpuIds[0]!, hour());
    expect(chart).toMatchObject({ resolution: "minute", bucketS: 60 });
    expect(chart.samples).toEqual(before.samples);
    expect(chart.samples.filter((p) => p.hashrateHs === null)).toHaveLength(1);
  });

  it("reads raw samples for the minutes the rollup job has not folded yet", async () => {
    // Ten more minutes after the folded range, raw only.
    await insertTelemetrySamples(tdb.db, Array.from({ length: 10 }, (_, m) => ({
      rigId: farm.rigId, seq: 100 + m, gpuIndex: 0, gpuId: farm.gpuIds[0]!, at: new Date(start.getTime() + (60 + m) * 60_000),
      mode: "IDLE" as const, coin: null, hashrateHs: null, tempC: 40, powerW: 30,
    })));
    const chart = await listGpuChart(tdb.db, farm.gpuIds[0]!, { from: new Date(start.getTime() + 30 * 60_000), to: new Date(start.getTime() + 90 * 60_000) });
    expect(chart.resolution).toBe("minute");
    expect(chart.samples.at(-1)).toMatchObject({ at: new Date(start.getTime() + 69 * 60_000).toISOString(), mode: "IDLE", powerW: 30 });
    expect(chart.samples.filter((p) => p.mode === "HASHING")).toHaveLength(10);
  });

  it("serves days from the hour rollups, an empty day showing as a gap", async () => {
    const day = 24 * 3_600_000;
    // The same GPU two days later, after a silent day in between.
    await insertTelemetrySamples(tdb.db, Array.from({ length: 120 }, (_, m) => ({
      rigId: farm.rigId, seq: 1000 + m, gpuIndex: 0, gpuId: farm.gpuIds[0]!, at: new Date(start.getTime() + 2 * day + m * 60_000),
      mode: "HASHING" as const, coin: "ETC", hashrateHs: 50e6, tempC: 61, powerW: 118,
    })));
    await foldTelemetry(tdb.db, { unit: "hour", from: start, to: new Date(start.getTime() + 3 * day), maxGapS: 120 });
    const chart = await listGpuChart(tdb.db, farm.gpuIds[0]!, { from: start, to: new Date(start.getTime() + 3 * day) });
    expect(chart).toMatchObject({ resolution: "hour", bucketS: 3600 });
    // 10:00 hashing at 48 MH/s (the 11:00 hour is IDLE with no hashrate), the silent day as one gap, then two hours at 50 MH/s.
    expect(chart.samples.map((p) => [p.at, p.mode, p.hashrateHs])).toEqual([
      [start.toISOString(), "HASHING", 48e6],
      [new Date(start.getTime() + 3_600_000).toISOString(), "IDLE", null],
      [new Date(start.getTime() + 2 * 3_600_000).toISOString(), "OFFLINE", null],
      [new Date(start.getTime() + 2 * day).toISOString(), "HASHING", 50e6],
      [new Date(start.getTime() + 2 * day + 3_600_000).toISOString(), "HASHING", 50e6],
    ]);
  });
});

describe("pins and maintenance in the GPU views", () => {
  let redis: Redis;
  const at = new Date("2026-11-20T12:00:00Z");
  const until = new Date("2026-11-20T14:00:00Z");
  const hashEtc = { mode: "HASH", coin: "ETC", algorithm: "etchash" } as const;

  beforeAll(async () => {
    redis = new Redis(parseEnv(ZSharedConfig, process.env).REDIS_URL);
    const [gpu0, gpu1] = farm.gpuIds as [string, string];
    await tdb.db.gpu.update({ where: { id: gpu0 }, data: { pinTarget: hashEtc, pinUntil: until } });
    await tdb.db.gpu.update({ where: { id: gpu1 }, data: { maintenance: true, maintenanceNote: "fan swap" } });
  });
  afterAll(() => redis.disconnect());

  const views = async (now: Date) => {
    const live = createGpuLiveStore({ redis, prefix: testRedisPrefix() });
    return new Map((await listGpuViews(tdb.db, live, { rigId: farm.rigId, now })).map((g) => [g.id, g]));
  };

  it("lists each GPU's pin while it holds and its maintenance flag", async () => {
    const [gpu0, gpu1] = farm.gpuIds as [string, string];
    const gpus = await views(at);
    expect(gpus.get(gpu0)).toMatchObject({ pin: { target: hashEtc, until: until.toISOString() }, maintenance: false });
    expect(gpus.get(gpu1)).toMatchObject({ pin: null, maintenance: true });
    const one = await getGpuView(tdb.db, createGpuLiveStore({ redis, prefix: testRedisPrefix() }), gpu0, at);
    expect(one.pin).toEqual({ target: hashEtc, until: until.toISOString() });
  });

  it("shows no pin once its time has passed, though the row still holds it", async () => {
    const [gpu0] = farm.gpuIds as [string];
    expect((await views(until)).get(gpu0)!.pin).toBeNull();
    expect((await getGpuView(tdb.db, createGpuLiveStore({ redis, prefix: testRedisPrefix() }), gpu0, new Date(until.getTime() + 1))).pin).toBeNull();
    expect((await tdb.db.gpu.findUniqueOrThrow({ where: { id: gpu0 } })).pinUntil).toEqual(until);
  });

  it("shows a stored pin target it cannot read as no pin rather than failing the list", async () => {
    const [gpu0] = farm.gpuIds as [string];
    await tdb.db.gpu.update({ where: { id: gpu0 }, data: { pinTarget: { mode: "TURBO" } } });
    const gpus = await views(at);
    expect(gpus.get(gpu0)!.pin).toBeNull();
    expect(gpus.size).toBe(2);
  });
});
