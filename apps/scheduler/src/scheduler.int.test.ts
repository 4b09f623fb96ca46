import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadSchedulerConfig } from "@rigshift/config";
import { insertTelemetrySamples, listTelemetryPartitions } from "@rigshift/db";
import { createSwitchCommand, getCommandView, getRevenueReport, markCommandDispatched, recordCommandProgress } from "@rigshift/db";
import { createTestDatabase, insertTestFarm, testRedisPrefix, type TestDatabase, type TestFarm } from "@rigshift/db/testing";
import { API_COMMAND_FIRST_CHECK_MS, commandDeliveryJob, COMMAND_DISPATCH_CHANNEL, QUEUES, type CommandDispatch } from "@rigshift/protocol";
import { createLog } from "./log";
import { startScheduler, type Scheduler } from "./scheduler";

const base = loadSchedulerConfig();
let tdb: TestDatabase;
let farm: TestFarm;
let redis: Redis;
let subscriber: Redis;
let prefix: string;
let scheduler: Scheduler;
let commandEvents: QueueEvents;
const dispatches: CommandDispatch[] = [];

// Wednesday 2026-11-18 10:00 UTC is 11:00 in Stockholm: inside the test tariff's 1.00 SEK/kWh window.
const HOUR = new Date("2026-11-18T10:00:00Z");
// Wednesday 2026-11-18 22:00 UTC is 23:00 in Stockholm: the 0.50 SEK/kWh base price.
const CATCH_UP_HOUR = new Date("2026-11-18T22:00:00Z");
const NOW = new Date("2026-11-19T09:30:00Z");

/** A GPU's samples every 60 s through one hour, from a function of the minute. */
const samplesFor = (hourStart: Date, gpuIndex: number, gpuId: string, seq0: number, row: (minute: number) => object) =>
  Array.from({ length: 60 }, (_, minute) => ({
    rigId: farm.rigId, seq: seq0 + minute, gpuIndex, gpuId, at: new Date(hourStart.getTime() + minute * 60_000),
    coin: null, workloadId: null, hashrateHs: null, tempC: 60, powerW: null, fanPct: 50, utilPct: null, vramUsedMb: null, mode: "IDLE" as const,
    ...row(minute),
  }));

const insertHour = async (hourStart: Date, seq0: number) => {
  const [gpu0, gpu1] = farm.gpuIds as [string, string];
  await insertTelemetrySamples(tdb.db, [
    // GPU 0 hashes ETC all hour at 50 MH/s and 120 W.
    ...samplesFor(hourStart, 0, gpu0, seq0, () => ({ mode: "HASHING", coin: "ETC", hashrateHs: 50e6, powerW: 120 })),
    // GPU 1 runs the workload for 30 minutes at 300 W, then idles at 50 W.
    ...samplesFor(hourStart, 1, gpu1, seq0, (m) => (m < 30 ? { mode: "AI", workloadId: farm.workloadId, powerW: 300 } : { mode: "IDLE", powerW: 50 })),
  ]);
};

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
  await tdb.db.marketQuote.createMany({
    data: [
      { kind: "COIN", symbol: "ETC", algorithm: "etchash", at: new Date("2026-11-18T00:00:00Z"), priceUsd: "20", usdPerHsDay: "0.000000012", source: "test" },
      { kind: "FX", symbol: "SEK", at: new Date("2026-11-18T00:00:00Z"), priceUsd: "0.1", source: "test" },
    ],
  });
  await insertHour(HOUR, 0);
  await insertHour(CATCH_UP_HOUR, 1000);
  redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: null });
  subscriber = redis.duplicate();
  prefix = testRedisPrefix();
  await subscriber.subscribe(`${prefix}:${COMMAND_DISPATCH_CHANNEL}`);
  subscriber.on("message", (_channel, text: string) => dispatches.push(JSON.parse(text) as CommandDispatch));
  // Only the catch-up hour is unbooked within 12 h of NOW; HOUR is older and must be asked for.
  scheduler = await startScheduler({
    config: {
      ...base, REDIS_PREFIX: prefix, COMMAND_POLL_MS: 200, COMMAND_SWEEP_MS: 300, LEDGER_MAX_GAP_S: 120, LEDGER_CATCH_UP_HOURS: 12,
      // The planner would command this farm's GPUs mid-test: its jobs are tested in plan.int.test.ts.
      PLAN_INTERVAL_MS: 0, MARKET_POLL_MS: 0, WORKLOAD_FEED_POLL_MS: 0,
    },
    db: tdb.db,
    redis,
    log: createLog("silent"),
    now: () => NOW,
  });
  // The start-up partition upkeep moves these rows into their day's partition: let it finish first,
  // so the test never reads the table mid-move.
  await vi.waitFor(async () => expect((await listTelemetryPartitions(tdb.db)).length).toBeGreaterThanOrEqual(4), { timeout: 15_000, interval: 100 });
  commandEvents = new QueueEvents(QUEUES.commands, { connection: { url: base.REDIS_URL }, prefix });
  await commandEvents.waitUntilReady();
});

afterAll(async () => {
  await commandEvents.close();
  await scheduler.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  subscriber.disconnect();
  redis.disconnect();
  await tdb.drop();
});

describe("ledger", () => {
  it("books the unbooked hours of the catch-up window at start, at the tariff's local price", async () => {
    await expect.poll(() => tdb.db.ledgerEntry.count({ where: { hourStart: CATCH_UP_HOUR } }), { timeout: 15_000 }).toBe(4);
    const energy = await tdb.db.ledgerEntry.findFirstOrThrow({ where: { hourStart: CATCH_UP_HOUR, gpuId: farm.gpuIds[0]!, kind: "ENERGY_COST" } });
    // 0.12 kWh at the 0.50 SEK night price, and its USD value at 0.1 USD per SEK.
    expect(energy.quantity.toString()).toBe("0.12");
    expect(energy.amount.toString()).toBe("0.06");
    expect(energy.currency).toBe("SEK");
    expect(energy.amountUsd.toString()).toBe("0.006");
    expect(await tdb.db.ledgerEntry.count({ where: { hourStart: HOUR } })).toBe(0);
  });

  it("books an hour from telemetry once, however often the job runs", async () => {
    for (let i = 0; i < 2; i++) {
      const job = await scheduler.ledgerQueue.add("close", { hourStart: HOUR.toISOString() });
      const events = new QueueEvents(QUEUES.ledger, { connection: { url: base.REDIS_URL }, prefix });
      await job.waitUntilFinished(events, 15_000);
      await events.close();
    }
    const rows = await tdb.db.ledgerEntry.findMany({ where: { hourStart: HOUR }, orderBy: [{ gpuId: "asc" }, { kind: "asc" }] });
    const byKind = (gpuId: string, kind: string) => rows.find((r) => r.gpuId === gpuId && r.kind === kind);
    const [gpu0, gpu1] = farm.gpuIds as [string, string];
    expect(rows).toHaveLength(4);
    // 60 min × 50 MH/s = 1.8e11 hashes × 1.2e-8 USD per H/s per day / 86400 s.
    expect(byKind(gpu0, "HASHING_REVENUE")).toMatchObject({ coin: "ETC", currency: "USD" });
    expect(byKind(gpu0, "HASHING_REVENUE")!.minutes.toString()).toBe("60");
    expect(byKind(gpu0, "HASHING_REVENUE")!.amountUsd.toString()).toBe("0.025");
    // 120 W for an hour at 1.00 SEK/kWh (day window) = 0.12 SEK = 0.012 USD.
    expect(byKind(gpu0, "ENERGY_COST")!.amount.toString()).toBe("0.12");
    expect(byKind(gpu0, "ENERGY_COST")!.amountUsd.toString()).toBe("0.012");
    // Half an hour of the 0.40 USD/GPU-h workload; 300 W × 30 min + 50 W × 30 min = 0.175 kWh.
    expect(byKind(gpu1, "AI_REVENUE")).toMatchObject({ workloadId: farm.workloadId });
    expect(byKind(gpu1, "AI_REVENUE")!.amountUsd.toString()).toBe("0.2");
    expect(byKind(gpu1, "ENERGY_COST")!.quantity.toString()).toBe("0.175");
    expect(byKind(gpu1, "ENERGY_COST")!.amountUsd.toString()).toBe("0.0175");
    expect(byKind(gpu1, "HASHING_REVENUE")).toBeUndefined();
  });

  it("reports the books rounded once, with lines that add up to the total to the cent", async () => {
    const report = await getRevenueReport(tdb.db, { from: HOUR, to: new Date(HOUR.getTime() + 3_600_000), groupBy: "gpu" });
    expect(report.total).toMatchObject({ hashingRevenueUsd: "0.02", aiRevenueUsd: "0.20", revenueUsd: "0.22", energyCostUsd: "0.03", marginUsd: "0.19", energyKwh: "0.295" });
    // 0.012 + 0.0175 = 0.0295 → 0.03: the cent left over by rounding each line down goes to the larger remainder.
    expect(report.lines.map((l) => l.energyCostUsd)).toEqual(["0.01", "0.02"]);
    const cents = (k: "revenueUsd" | "energyCostUsd" | "marginUsd") => report.lines.reduce((s, l) => s + Math.round(Number(l[k]) * 100), 0);
    expect(cents("revenueUsd")).toBe(22);
    expect(cents("energyCostUsd")).toBe(3);
    expect(cents("marginUsd")).toBe(19);
  });

  it("refuses to change or delete a booked row", async () => {
    await expect(tdb.db.$executeRaw`UPDATE "LedgerEntry" SET "amount" = 0`).rejects.toThrow(/immutable|append-only|not allowed/i);
    await expect(tdb.db.$executeRaw`DELETE FROM "LedgerEntry"`).rejects.toThrow(/immutable|append-only|not allowed/i);
    expect(await tdb.db.ledgerEntry.count()).toBe(8);
  });
});

describe("commands", () => {
  const enqueue = async (ttlS: number) => {
    // The scheduler's clock is frozen at NOW; commands must expire relative to it.
    const { id } = await createSwitchCommand(tdb.db, { gpuIds: [farm.gpuIds[1]!], mode: "AI", ttlS, source: "USER", userId: farm.users.operator.id, now: new Date(NOW.getTime() - 1000 * (ttlS > 60 ? 0 : ttlS + 1)) });
    const job = await scheduler.commandsQueue.add("deliver", { commandId: id }, { jobId: id });
    return { id, job };
  };

  it("publishes a command for its rig until the agent finishes it, then ends DONE", async () => {
    const { id, job } = await enqueue(600);
    await expect.poll(() => dispatches.filter((d) => d.commandId === id).length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    expect(dispatches.find((d) => d.commandId === id)).toEqual({ commandId: id, rigIds: [farm.rigId] });
    await recordCommandProgress(tdb.db, { commandId: id, rigId: farm.rigId, gpuIndex: 1, status: "DONE", step: "AI", message: null, at: NOW });
    expect(await job.waitUntilFinished(commandEvents, 10_000)).toEqual({ commandId: id, status: "DONE" });
  });

  it("stops publishing a command its rig has, and still sees it end DONE", async () => {
    const { id, job } = await enqueue(600);
    await expect.poll(() => dispatches.filter((d) => d.commandId === id).length, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    await markCommandDispatched(tdb.db, { commandId: id, rigId: farm.rigId, now: NOW });
    const published = () => dispatches.filter((d) => d.commandId === id).length;
    const before = published();
    await new Promise((r) => setTimeout(r, 1_000));
    // At most the one already under way when the rig took it: nothing waits for delivery now.
    expect(published()).toBeLessThanOrEqual(before + 1);
    await recordCommandProgress(tdb.db, { commandId: id, rigId: farm.rigId, gpuIndex: 1, status: "DONE", step: "AI", message: null, at: NOW });
    expect(await job.waitUntilFinished(commandEvents, 10_000)).toEqual({ commandId: id, status: "DONE" });
  });

  it("holds back the first dispatch of a command whose creator sent one already, then sends it to a rig that has not taken it", async () => {
    const { id } = await createSwitchCommand(tdb.db, { gpuIds: [farm.gpuIds[1]!], mode: "AI", ttlS: 600, source: "USER", userId: farm.users.operator.id, now: NOW });
    const job = commandDeliveryJob(id, { delayMs: API_COMMAND_FIRST_CHECK_MS });
    const added = performance.now();
    await scheduler.commandsQueue.add(job.name, job.data, job.opts);
    await expect.poll(() => dispatches.find((d) => d.commandId === id), { timeout: 5000, interval: 20 }).toEqual({ commandId: id, rigIds: [farm.rigId] });
    expect(performance.now() - added).toBeGreaterThanOrEqual(API_COMMAND_FIRST_CHECK_MS - 50);
    await recordCommandProgress(tdb.db, { commandId: id, rigId: farm.rigId, gpuIndex: 1, status: "DONE", step: "AI", message: null, at: NOW });
    expect(await (await scheduler.commandsQueue.getJob(id))!.waitUntilFinished(commandEvents, 10_000)).toEqual({ commandId: id, status: "DONE" });
  });

  it("expires a command whose deadline passes before its rig answers", async () => {
    const { id, job } = await enqueue(5);
    expect(await job.waitUntilFinished(commandEvents, 10_000)).toEqual({ commandId: id, status: "EXPIRED" });
    const view = await getCommandView(tdb.db, id);
    expect(view).toMatchObject({ status: "EXPIRED", error: expect.stringMatching(/deadline/) });
    expect(view.gpus.map((g) => g.status)).toEqual(["EXPIRED"]);
  });

  it("gives open commands whose jobs Redis lost their jobs back: one is sent again and ends DONE, one expires", async () => {
    // Rows written while Redis refused their jobs, or before it restarted: no job follows them.
    const write = (ttlS: number, at: Date) =>
      createSwitchCommand(tdb.db, { gpuIds: [farm.gpuIds[1]!], mode: "AI", ttlS, source: "USER", userId: farm.users.operator.id, now: at });
    const open = await write(600, NOW);
    const late = await write(1, new Date(NOW.getTime() - 5_000));

    await expect.poll(() => dispatches.find((d) => d.commandId === open.id), { timeout: 5000 }).toEqual({ commandId: open.id, rigIds: [farm.rigId] });
    await expect.poll(async () => (await getCommandView(tdb.db, late.id)).status, { timeout: 5000 }).toBe("EXPIRED");
    expect(dispatches.some((d) => d.commandId === late.id)).toBe(false);

    await recordCommandProgress(tdb.db, { commandId: open.id, rigId: farm.rigId, gpuIndex: 1, status: "DONE", step: "AI", message: null, at: NOW });
    const job = (await scheduler.commandsQueue.getJob(open.id))!;
    expect(await job.waitUntilFinished(commandEvents, 10_000)).toEqual({ commandId: open.id, status: "DONE" });
  });
});
