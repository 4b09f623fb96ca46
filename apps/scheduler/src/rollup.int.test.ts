import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadSchedulerConfig } from "@rigshift/config";
import { createTelemetryWriter, groupTelemetryMessages, insertTelemetrySamples, listTelemetryPartitions, recordRollupCoverage } from "@rigshift/db";
import { listTelemetryRollups } from "@rigshift/db";
import { createTestDatabase, insertTestFarm, testRedisPrefix, type TestDatabase, type TestFarm } from "@rigshift/db/testing";
import { Decimal } from "@rigshift/economics";
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

type Raw = {
  gpuId: string; gpuIndex: number; seq: number; at: Date; mode: "HASHING" | "IDLE" | "AI"; coin: string | null; workloadId: string | null;
  hashrateHs: number | null; powerW: number; tempC: number;
};

/**
 * Two GPUs over three minutes, sampled off the minute so most intervals cross a minute's edge.
 * GPU 0 (every 10 s from :05) hashes ETC, then RVN, then idles, with a 40 s hole (longer than the
 * gap cap) in minute 1. GPU 1 (every 7 or 13 s) runs the AI workload, then hashes ETC; it also
 * reports across the top of the hour (10:59:55, 11:00:05), so one interval is split between hours.
 */
const raw: Raw[] = [];
const buildRaw = () => {
  const [gpu0, gpu1] = farm.gpuIds as [string, string];
  for (let i = 0; i < 18; i++) {
    if (i >= 8 && i <= 10) continue;
    const mode = i < 12 ? "HASHING" : "IDLE";
    raw.push({
      gpuId: gpu0, gpuIndex: 0, seq: i, at: new Date(T0.getTime() + 5_000 + i * 10_000), mode, coin: mode === "IDLE" ? null : i < 6 ? "ETC" : "RVN",
      workloadId: null, hashrateHs: mode === "HASHING" ? 1e6 + i * 1000.5 : null, powerW: mode === "HASHING" ? 200.25 + i : 50, tempC: 55 + i / 2,
    });
  }
  let at = T0.getTime() + 2_000;
  for (let i = 0; at < T0.getTime() + 180_000; i++, at += i % 2 ? 7_000 : 13_000) {
    const ai = i < 10;
    raw.push({
      gpuId: gpu1, gpuIndex: 1, seq: i, at: new Date(at), mode: ai ? "AI" : "HASHING", coin: ai ? null : "ETC", workloadId: ai ? farm.workloadId : null,
      hashrateHs: ai ? null : 2e6 + i * 333.3, powerW: ai ? 300.5 : 210 + i / 3, tempC: 60 + i / 4,
    });
  }
  for (const [seq, s] of [[500, 3595], [501, 3605]] as const) {
    raw.push({ gpuId: gpu1, gpuIndex: 1, seq, at: new Date(T0.getTime() + s * 1000), mode: "HASHING", coin: "ETC", workloadId: null, hashrateHs: 3e6, powerW: 210, tempC: 70 });
  }
};

const keyOf = (gpuId: string, bucket: number, mode: string, coin: string | null, workloadId: string | null) =>
  [gpuId, new Date(bucket).toISOString(), mode, coin ?? "", workloadId ?? ""].join("|");

/**
 * The reference, from the definition: each sample stands for the time to the GPU's next one, at
 * most MAX_GAP_S, and each bucket gets the part of that time inside it, in exact decimals.
 */
const expectedFor = (bucketMs: number) => {
  const out = new Map<string, { seconds: Decimal; hashes: Decimal; energyWh: Decimal }>();
  for (const gpuId of farm.gpuIds) {
    const rows = raw.filter((r) => r.gpuId === gpuId).sort((a, b) => a.at.getTime() - b.at.getTime());
    rows.forEach((r, i) => {
      const start = r.at.getTime();
      const until = Math.min(rows[i + 1]?.at.getTime() ?? Infinity, start + MAX_GAP_S * 1000);
      for (let b = Math.floor(start / bucketMs) * bucketMs; b < until; b += bucketMs) {
        const secs = new Decimal(Math.min(until, b + bucketMs) - Math.max(start, b)).div(1000);
        const key = keyOf(gpuId, b, r.mode, r.coin, r.workloadId);
        const e = out.get(key) ?? { seconds: new Decimal(0), hashes: new Decimal(0), energyWh: new Decimal(0) };
        e.seconds = e.seconds.plus(secs);
        e.hashes = e.hashes.plus(new Decimal(r.hashrateHs ?? 0).times(secs));
        e.energyWh = e.energyWh.plus(new Decimal(r.powerW).times(secs).div(3600));
        out.set(key, e);
      }
    });
  }
  return out;
};

const fold = async (data: object) => {
  const job = await scheduler.rollupQueue.add("fold", data);
  return job.waitUntilFinished(events, 20_000);
};

/** The readings of the samples taken in each bucket, aggregated straight from the raw rows. */
const directAggregate = (unit: "minute" | "hour") =>
  tdb.db.$queryRawUnsafe<Record<string, unknown>[]>(`
    SELECT "gpuId", date_trunc('${unit}', "at", 'UTC') AS bucket, "mode"::text AS mode, COALESCE("coin", '') AS coin,
      COALESCE("workloadId"::text, '') AS "workloadId", count(*)::int AS samples,
      min("hashrateHs") AS "hashrateHsMin", max("hashrateHs") AS "hashrateHsMax", avg("hashrateHs") AS "hashrateHsAvg",
      min("tempC") AS "tempCMin", max("tempC") AS "tempCMax", avg("tempC") AS "tempCAvg",
      min("powerW") AS "powerWMin", max("powerW") AS "powerWMax", avg("powerW") AS "powerWAvg"
    FROM "TelemetrySample" GROUP BY 1, 2, 3, 4, 5`);

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
  buildRaw();
  await insertTelemetrySamples(tdb.db, raw.map((r) => ({ ...r, rigId: farm.rigId, fanPct: 40, utilPct: 99 })));
  redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: null });
  prefix = testRedisPrefix();
  scheduler = await startScheduler({
    config: {
      ...base, REDIS_PREFIX: prefix, LEDGER_MAX_GAP_S: MAX_GAP_S, LEDGER_CATCH_UP_HOURS: 0,
      // The planner would command this farm's GPUs mid-test: its jobs are tested in plan.int.test.ts.
      PLAN_INTERVAL_MS: 0, MARKET_POLL_MS: 0, WORKLOAD_FEED_POLL_MS: 0,
    },
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

/** Every rollup row against the reference and the direct aggregate; returns how many rows. */
const compare = async (unit: "minute" | "hour") => {
  const bucketMs = unit === "minute" ? 60_000 : 3_600_000;
  const expected = expectedFor(bucketMs);
  const direct = new Map((await directAggregate(unit)).map((d) => [keyOf(d.gpuId as string, (d.bucket as Date).getTime(), d.mode as string, d.coin as string, d.workloadId as string), d]));
  const rollups = await listTelemetryRollups(tdb.db, { unit, from: new Date(0), to: new Date("2100-01-01T00:00:00Z") });
  const keys = rollups.map((r) => keyOf(r.gpuId, r.bucket.getTime(), r.mode, r.coin, r.workloadId));
  expect(keys.sort()).toEqual([...expected.keys()].sort());
  for (const r of rollups) {
    const key = keyOf(r.gpuId, r.bucket.getTime(), r.mode, r.coin, r.workloadId);
    const e = expected.get(key)!;
    // Exact: the ledger prices these, and a minute must add up to its hour to the last digit.
    expect(r.seconds.toString(), `${key} seconds`).toBe(e.seconds.toString());
    expect(r.hashes.toString(), `${key} hashes`).toBe(e.hashes.toString());
    expect(r.energyWh.toDecimalPlaces(12).toString(), `${key} energyWh`).toBe(e.energyWh.toDecimalPlaces(12).toString());
    const d = direct.get(key);
    // A row that is only the tail of a sample taken in an earlier bucket has no readings.
    expect(r.samples, key).toBe(d?.samples ?? 0);
    for (const col of ["hashrateHsMin", "hashrateHsMax", "tempCMin", "tempCMax", "powerWMin", "powerWMax"] as const) expect(r[col], col).toBe(d?.[col] ?? null);
    for (const col of ["hashrateHsAvg", "tempCAvg", "powerWAvg"] as const) {
      if (d?.[col] == null) expect(r[col]).toBeNull();
      else expect(r[col], col).toBeCloseTo(Number(d[col]), 6);
    }
  }
  return rollups.length;
};

const secondsOf = async (unit: "minute" | "hour", gpuId: string, bucket: string) =>
  (await listTelemetryRollups(tdb.db, { unit, gpuId, from: new Date(bucket), to: new Date(new Date(bucket).getTime() + 1) }))
    .map((r) => [r.mode, r.coin ?? r.workloadId, r.seconds.toNumber()]);

describe("rollup job", () => {
  it("folds minutes that match the raw rows, each interval split at the minute's edge", async () => {
    await fold({ unit: "minute", from: T0.toISOString(), to: "2026-11-18T11:05:00Z" });
    expect(await compare("minute")).toBeGreaterThanOrEqual(10);
    const gpu0 = farm.gpuIds[0]!;
    // GPU 0's first sample is at :05, so minute 0 holds 55 s; its ETC sample at :55 gives 5 s to minute 1.
    expect(await secondsOf("minute", gpu0, "2026-11-18T10:00:00Z")).toEqual([["HASHING", "ETC", 55]]);
    // Minute 1: 5 s of ETC, RVN from :05 with the 40 s hole capped (the sample at :15 counts 30 s, not 40).
    expect(await secondsOf("minute", gpu0, "2026-11-18T10:01:00Z")).toEqual([["HASHING", "ETC", 5], ["HASHING", "RVN", 10 + 30 + 5]]);
  });

  it("folds hours that match the raw rows, splitting an interval across the top of the hour; minutes add up to their hour", async () => {
    await fold({ unit: "hour", from: T0.toISOString(), to: "2026-11-18T12:00:00Z" });
    expect(await compare("hour")).toBeGreaterThanOrEqual(5);
    const gpu1 = farm.gpuIds[1]!;
    // The sample at 10:59:55 stands for the 10 s to 11:00:05: 5 s in each hour.
    expect(await secondsOf("minute", gpu1, "2026-11-18T10:59:00Z")).toEqual([["HASHING", "ETC", 5]]);
    expect(await secondsOf("hour", gpu1, "2026-11-18T11:00:00Z")).toEqual([["HASHING", "ETC", 5 + 30]]);
    const minutes = await listTelemetryRollups(tdb.db, { unit: "minute", from: T0, to: new Date(T0.getTime() + 3_600_000) });
    const hours = await listTelemetryRollups(tdb.db, { unit: "hour", from: T0, to: new Date(T0.getTime() + 3_600_000) });
    for (const h of hours) {
      const mine = minutes.filter((m) => m.gpuId === h.gpuId && m.mode === h.mode && m.coin === h.coin && m.workloadId === h.workloadId);
      expect(mine.reduce((s, m) => s.plus(m.hashes), new Decimal(0)).toString()).toBe(h.hashes.toString());
      expect(mine.reduce((s, m) => s.plus(m.seconds), new Decimal(0)).toString()).toBe(h.seconds.toString());
      expect(mine.reduce((s, m) => s + m.samples, 0)).toBe(h.samples);
    }
  });

  it("folds when it has to wait longer than Prisma's 5 s transactions behind another fold of its unit", async () => {
    // Another fold of minutes holds the unit's lock for 6 s (the ledger folding an hour, or a big catch-up).
    await tdb.db.telemetryMinute.deleteMany({});
    let job: Promise<unknown> | undefined;
    await tdb.db.$transaction(async (other) => {
      await other.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('rigshift:fold:minute'))`;
      job = fold({ unit: "minute", from: T0.toISOString(), to: "2026-11-18T11:05:00Z" });
      await new Promise((r) => setTimeout(r, 6_000));
      expect(await tdb.db.telemetryMinute.count()).toBe(0);
    }, { timeout: 20_000 });
    await job;
    expect(await compare("minute")).toBeGreaterThanOrEqual(10);
  });

  it("replaces a bucket's rows when it is folded again after its raw rows changed", async () => {
    // GPU 0's only ETC samples in minute 0 go: the minute must lose its ETC row, not keep a stale one.
    const gone = raw.filter((r) => r.gpuIndex === 0 && r.seq < 6);
    raw.splice(0, raw.length, ...raw.filter((r) => !gone.includes(r)));
    // A message is stored whole: those messages are stored again without GPU 0.
    await tdb.db.$executeRaw`DELETE FROM "TelemetryMessage" WHERE "rigId" = ${farm.rigId}::uuid AND "seq" < 6`;
    await insertTelemetrySamples(tdb.db, raw.filter((r) => r.seq < 6).map((r) => ({ ...r, rigId: farm.rigId, fanPct: 40, utilPct: 99 })));
    await fold({ unit: "minute", from: T0.toISOString(), to: "2026-11-18T11:05:00Z" });
    await fold({ unit: "minute", from: T0.toISOString(), to: "2026-11-18T11:05:00Z" });
    expect(await compare("minute")).toBeGreaterThanOrEqual(8);
    expect(await secondsOf("minute", farm.gpuIds[0]!, "2026-11-18T10:00:00Z")).toEqual([]);
  });

  it("folds recent buckets on its own schedule, and catches up the minutes no job folded", async () => {
    const schedulers = await scheduler.rollupQueue.getJobSchedulers();
    expect(schedulers.map((s) => s.key).sort()).toEqual(["rollup-hours", "rollup-minutes"]);
    // Samples from 11:30, older than the last 5 minutes a scheduled run re-folds: written while the
    // scheduler was down (or by the demo seed before it started). Minutes were last folded to 11:05.
    const gpu0 = farm.gpuIds[0]!;
    const late: Raw[] = ["11:30:05", "11:30:15", "11:30:25", "11:57:05"].map((t, i) => ({
      gpuId: gpu0, gpuIndex: 0, seq: 900 + i, at: new Date(`2026-11-18T${t}Z`), mode: "HASHING", coin: "ETC",
      workloadId: null, hashrateHs: 1e6, powerW: 200, tempC: 60,
    }));
    await insertTelemetrySamples(tdb.db, late.map((r) => ({ ...r, rigId: farm.rigId, fanPct: 40, utilPct: 99 })));
    raw.push(...late);
    // A recent minute already folded, as by the first runs after a start: it must not hide the hole before it.
    await fold({ unit: "minute", from: "2026-11-18T11:55:00Z", to: "2026-11-18T12:00:00Z" });
    // Folds of a named range may reach past what has settled: they do not count as covered for the ledger.
    expect(await tdb.db.rollupCoverage.findUnique({ where: { unit: "minute" } })).toBeNull();
    // Without a range a job folds from just after the newest folded minute to the last settled one: those
    // that ended a late mark's minute, MAX_GAP_S and a minute before now (12:00:30).
    const folded = await fold({ unit: "minute" });
    expect(folded).toMatchObject({ unit: "minute", to: "2026-11-18T11:58:00.000Z" });
    expect(await tdb.db.rollupCoverage.findUnique({ where: { unit: "minute" } })).toMatchObject({ from: new Date(folded.from), to: new Date(folded.to) });
    expect(Date.parse(folded.from)).toBeLessThanOrEqual(Date.parse("2026-11-18T11:30:00Z"));
    expect(await secondsOf("minute", gpu0, "2026-11-18T11:30:00Z")).not.toEqual([]);
    expect(await compare("minute")).toBeGreaterThanOrEqual(8);
    // Caught up, the next run goes back only as far as its lookback or the newest folded minute.
    expect(Date.parse((await fold({ unit: "minute" })).from)).toBeGreaterThan(Date.parse("2026-11-18T11:30:00Z"));
  });

  it("sums a scheduled run's hours from the minutes the minute job covered, averages weighed by each reading's count", async () => {
    await fold({ unit: "minute", from: T0.toISOString(), to: "2026-11-18T12:00:00Z" });
    await recordRollupCoverage(tdb.db, { unit: "minute", from: T0, to: new Date("2026-11-18T11:58:00Z") });
    // A minute that says something raw samples would not: the hour must be the sum of its minutes.
    const gpu1 = farm.gpuIds[1]!;
    const [minute] = await listTelemetryRollups(tdb.db, { unit: "minute", gpuId: gpu1, from: new Date("2026-11-18T10:01:00Z"), to: new Date("2026-11-18T10:02:00Z") });
    await tdb.db.$executeRaw`
      UPDATE "TelemetryMinute" SET "hashes" = "hashes" + 7
       WHERE "gpuId" = ${gpu1}::uuid AND "bucket" = ${minute!.bucket} AND "mode"::text = ${minute!.mode}
         AND "coin" = ${minute!.coin ?? ""} AND "workloadId" = ${minute!.workloadId ?? ""}`;
    // Now 12:00:30: the 10:00 hour has settled, the 11:00 hour has not.
    expect(await fold({ unit: "hour" })).toMatchObject({ from: "2026-11-18T10:00:00.000Z", to: "2026-11-18T11:00:00.000Z" });
    const hourOf = async () => (await listTelemetryRollups(tdb.db, { unit: "hour", gpuId: gpu1, from: T0, to: new Date(T0.getTime() + 1) }))
      .find((h) => h.mode === minute!.mode && h.coin === minute!.coin && h.workloadId === minute!.workloadId)!;
    expect((await hourOf()).hashes.toString()).toBe(expectedFor(3_600_000).get(keyOf(gpu1, T0.getTime(), minute!.mode, minute!.coin, minute!.workloadId))!.hashes.plus(7).toString());
    // With the minute folded again, the summed hours are what folding the raw samples gives (the 11:00
    // hour, which the run left alone, is folded from raw again for the samples an earlier test added).
    await fold({ unit: "minute", from: T0.toISOString(), to: "2026-11-18T12:00:00Z" });
    await fold({ unit: "hour" });
    await fold({ unit: "hour", from: "2026-11-18T11:00:00Z", to: "2026-11-18T12:00:00Z" });
    expect(await compare("hour")).toBeGreaterThanOrEqual(5);
  });

  it("re-folds the minutes and hours a spool replayed long after every lookback lands in", async () => {
    await fold({ unit: "hour", from: T0.toISOString(), to: "2026-11-18T12:00:00Z" });
    expect(await compare("hour")).toBeGreaterThanOrEqual(5);
    // GPU 0 was cut off at 10:20; its rig replays three samples at 12:00:20 through the gateway's writer,
    // which marks them late. The 10:20 and 10:21 minutes and the 10:00 hour were folded without them.
    const gpu0 = farm.gpuIds[0]!;
    const late: Raw[] = ["10:20:05", "10:20:15", "10:20:55"].map((t, i) => ({
      gpuId: gpu0, gpuIndex: 0, seq: 950 + i, at: new Date(`2026-11-18T${t}Z`), mode: "HASHING", coin: "RVN",
      workloadId: null, hashrateHs: 2e6 + i, powerW: 220, tempC: 61,
    }));
    const writer = createTelemetryWriter({ databaseUrl: tdb.url, now: () => new Date("2026-11-18T12:00:20Z") });
    await writer.write(groupTelemetryMessages(late.map((r) => ({ ...r, rigId: farm.rigId, fanPct: 40, utilPct: 99, vramUsedMb: null }))));
    await writer.close();
    raw.push(...late);
    expect(await tdb.db.telemetryLate.findMany({ select: { rigId: true, from: true, to: true } })).toEqual([
      { rigId: farm.rigId, from: late[0]!.at, to: late[2]!.at },
    ]);

    const folded = await fold({ unit: "minute" });
    expect(folded.late).toMatchObject({ marks: 1 });
    // 30 s of RVN from 10:20:05 to the last sample's cap at 10:21:25 (MAX_GAP_S), split at the minute.
    expect(await secondsOf("minute", gpu0, "2026-11-18T10:20:00Z")).toEqual([["HASHING", "RVN", 10 + 30 + 5]]);
    expect(await secondsOf("minute", gpu0, "2026-11-18T10:21:00Z")).toEqual([["HASHING", "RVN", 25]]);
    expect(await compare("minute")).toBeGreaterThanOrEqual(8);
    expect(await compare("hour")).toBeGreaterThanOrEqual(5);
    expect(await tdb.db.telemetryLate.count()).toBe(0);
  });
});
