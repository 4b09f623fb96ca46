import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadSchedulerConfig } from "@rigshift/config";
import { listTelemetryPartitions } from "@rigshift/db";
import { listTelemetryRollups } from "@rigshift/db";
import { createTestDatabase, insertTestFarm, testRedisPrefix, type TestDatabase, type TestFarm } from "@rigshift/db/testing";
import { createLog } from "./log";
import { ROLLUP_QUEUE } from "./rollup-worker";
import { startScheduler, type Scheduler } from "./scheduler";

const base = loadSchedulerConfig();
const MAX_GAP_S = 30;
const T0 = new Date("2026-11-18T10:00:00Z");
let tdb: TestDatabase;
let farm: TestFarm;
let redis: Redis;
let prefix: string;
let scheduler: Scheduler;
let events: QueueEvents;

type Raw = { gpuId: string; gpuIndex: number; seq: number; at: Date; mode: "HASHING" | "IDLE"; hashrateHs: number | null; powerW: number; tempC: number };

/**
 * Two GPUs over three minutes of 10 s samples plus one in the next hour: GPU 0 hashes for two
 * minutes then idles, with a 40 s hole (longer than the gap cap) in minute 1; GPU 1 hashes steadily.
 */
const raw: Raw[] = [];
const buildRaw = () => {
  for (const [gpuIndex, gpuId] of farm.gpuIds.entries()) {
    for (let i = 0; i < 18; i++) {
      if (gpuIndex === 0 && i >= 8 && i <= 10) continue;
      const hashing = gpuIndex === 1 || i < 12;
      raw.push({
        gpuId, gpuIndex, seq: i, at: new Date(T0.getTime() + i * 10_000), mode: hashing ? "HASHING" : "IDLE",
        hashrateHs: hashing ? 1e6 * (gpuIndex + 1) + i * 1000 : null, powerW: hashing ? 200 + i : 50, tempC: 55 + i / 2 + gpuIndex,
      });
    }
  }
};

/** The reference: each sample stands for the time to the GPU's next one, at most MAX_GAP_S. */
const expectedFor = (gpuId: string, bucketMs: number) => {
  const rows = raw.filter((r) => r.gpuId === gpuId).sort((a, b) => a.at.getTime() - b.at.getTime());
  const out = new Map<number, { hashes: number; energyWh: number; modeSeconds: Record<string, number> }>();
  rows.forEach((r, i) => {
    const next = rows[i + 1]?.at.getTime() ?? Infinity;
    const secs = Math.min(next - r.at.getTime(), MAX_GAP_S * 1000) / 1000;
    const bucket = Math.floor(r.at.getTime() / bucketMs) * bucketMs;
    const e = out.get(bucket) ?? { hashes: 0, energyWh: 0, modeSeconds: {} };
    e.hashes += (r.hashrateHs ?? 0) * secs;
    e.energyWh += (r.powerW * secs) / 3600;
    e.modeSeconds[r.mode] = (e.modeSeconds[r.mode] ?? 0) + secs;
    out.set(bucket, e);
  });
  return out;
};

const fold = async (data: object) => {
  const job = await scheduler.rollupQueue.add("fold", data);
  return job.waitUntilFinished(events, 20_000);
};

/** The same buckets aggregated straight from the raw rows. */
const directAggregate = (unit: "minute" | "hour") =>
  tdb.db.$queryRawUnsafe<Record<string, unknown>[]>(`
    SELECT "gpuId", date_trunc('${unit}', "at", 'UTC') AS bucket, count(*)::int AS samples,
      min("hashrateHs") AS "hashrateHsMin", max("hashrateHs") AS "hashrateHsMax", avg("hashrateHs") AS "hashrateHsAvg",
      min("tempC") AS "tempCMin", max("tempC") AS "tempCMax", avg("tempC") AS "tempCAvg",
      min("powerW") AS "powerWMin", max("powerW") AS "powerWMax", avg("powerW") AS "powerWAvg"
    FROM "TelemetrySample" GROUP BY 1, 2 ORDER BY 1, 2`);

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
  buildRaw();
  // One late sample of GPU 1 an hour on, so the hour fold sees two buckets.
  raw.push({ gpuId: farm.gpuIds[1]!, gpuIndex: 1, seq: 500, at: new Date(T0.getTime() + 3_600_000), mode: "HASHING", hashrateHs: 3e6, powerW: 210, tempC: 70 });
  await tdb.db.telemetrySample.createMany({
    data: raw.map((r) => ({ ...r, rigId: farm.rigId, seq: BigInt(r.seq), coin: r.mode === "HASHING" ? "ETC" : null, fanPct: 40, utilPct: 99 })),
  });
  redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: null });
  prefix = testRedisPrefix();
  scheduler = await startScheduler({
    config: { ...base, REDIS_PREFIX: prefix, LEDGER_MAX_GAP_S: MAX_GAP_S, LEDGER_CATCH_UP_HOURS: 0 },
    db: tdb.db,
    redis,
    log: createLog("silent"),
    now: () => new Date("2026-11-18T12:00:30Z"),
  });
  // The start-up partition upkeep moves these rows into their day's partition: let it finish first,
  // so the test never reads the table mid-move.
  await vi.waitFor(async () => expect((await listTelemetryPartitions(tdb.db)).length).toBeGreaterThanOrEqual(4), { timeout: 15_000, interval: 100 });
  events = new QueueEvents(ROLLUP_QUEUE, { connection: { url: base.REDIS_URL }, prefix });
  await events.waitUntilReady();
});

afterAll(async () => {
  await events.close();
  await scheduler.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await tdb.drop();
});

const compare = async (unit: "minute" | "hour", bucketMs: number) => {
  const direct = await directAggregate(unit);
  let compared = 0;
  for (const gpuId of farm.gpuIds) {
    const rollups = await listTelemetryRollups(tdb.db, { unit, gpuId, from: new Date(0), to: new Date("2100-01-01T00:00:00Z") });
    const mine = direct.filter((d) => d.gpuId === gpuId);
    expect(rollups.map((r) => r.bucket)).toEqual(mine.map((d) => d.bucket));
    const expected = expectedFor(gpuId, bucketMs);
    for (const [i, r] of rollups.entries()) {
      const d = mine[i]!;
      for (const key of ["samples", "hashrateHsMin", "hashrateHsMax", "tempCMin", "tempCMax", "powerWMin", "powerWMax"] as const) expect(r[key], key).toBe(d[key]);
      for (const key of ["hashrateHsAvg", "tempCAvg", "powerWAvg"] as const) {
        if (d[key] === null) expect(r[key]).toBeNull();
        else expect(r[key], key).toBeCloseTo(Number(d[key]), 6);
      }
      const e = expected.get(r.bucket.getTime())!;
      expect(r.hashes).toBeCloseTo(e.hashes, 3);
      expect(r.energyWh).toBeCloseTo(e.energyWh, 6);
      expect(Object.keys(r.modeSeconds).sort()).toEqual(Object.keys(e.modeSeconds).sort());
      for (const [mode, s] of Object.entries(e.modeSeconds)) expect(r.modeSeconds[mode]).toBeCloseTo(s, 6);
      compared++;
    }
  }
  return compared;
};

describe("rollup job", () => {
  it("folds minutes that match the raw rows", async () => {
    await fold({ unit: "minute", from: T0.toISOString(), to: "2026-11-18T11:05:00Z" });
    // GPU 0: 3 minutes; GPU 1: 3 minutes and the late one.
    expect(await compare("minute", 60_000)).toBe(7);
    // The hole in GPU 0's minute 1 is capped: the sample before 40 s of silence counts 30 s (10 + 30 + 10).
    const [m0, m1] = await listTelemetryRollups(tdb.db, { unit: "minute", gpuId: farm.gpuIds[0]!, from: T0, to: new Date(T0.getTime() + 120_000) });
    expect(m0!.modeSeconds).toEqual({ HASHING: 60 });
    expect(m1!.modeSeconds).toEqual({ HASHING: 50 });
  });

  it("folds hours that match the raw rows, and minutes add up to their hour", async () => {
    await fold({ unit: "hour", from: T0.toISOString(), to: "2026-11-18T12:00:00Z" });
    expect(await compare("hour", 3_600_000)).toBe(3);
    const minutes = await listTelemetryRollups(tdb.db, { unit: "minute", gpuId: farm.gpuIds[0]!, from: T0, to: new Date(T0.getTime() + 3_600_000) });
    const [hour] = await listTelemetryRollups(tdb.db, { unit: "hour", gpuId: farm.gpuIds[0]!, from: T0, to: new Date(T0.getTime() + 3_600_000) });
    expect(hour!.hashes).toBeCloseTo(minutes.reduce((s, m) => s + m.hashes, 0), 3);
  });

  it("replaces a bucket when it is folded again after its raw rows changed", async () => {
    const gone = raw.findIndex((r) => r.gpuIndex === 1 && r.seq === 3);
    await tdb.db.telemetrySample.deleteMany({ where: { rigId: farm.rigId, gpuIndex: 1, seq: 3n } });
    raw.splice(gone, 1);
    await fold({ unit: "minute", from: T0.toISOString(), to: "2026-11-18T11:05:00Z" });
    await fold({ unit: "minute", from: T0.toISOString(), to: "2026-11-18T11:05:00Z" });
    expect(await compare("minute", 60_000)).toBe(7);
  });

  it("folds recent buckets on its own schedule", async () => {
    const schedulers = await scheduler.rollupQueue.getJobSchedulers();
    expect(schedulers.map((s) => s.key).sort()).toEqual(["rollup-hours", "rollup-minutes"]);
    // Without a range a job folds the last complete buckets before now (12:00:30): nothing here.
    expect(await fold({ unit: "minute" })).toMatchObject({ unit: "minute", from: "2026-11-18T11:55:00.000Z", to: "2026-11-18T12:00:00.000Z", rows: 0 });
  });
});
