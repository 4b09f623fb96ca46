import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSchedulerConfig } from "@rigshift/config";
import { createSwitchCommand, findLatestPlanView, recordCommandProgress } from "@rigshift/db";
import { createTestDatabase, insertTestFarm, testRedisPrefix, type TestDatabase, type TestFarm } from "@rigshift/db/testing";
import { QUEUES } from "@rigshift/protocol";
import { createLog } from "./log";
import { startScheduler, type Scheduler } from "./scheduler";

const base = loadSchedulerConfig();
let tdb: TestDatabase;
let farm: TestFarm;
let redis: Redis;
let prefix: string;
let scheduler: Scheduler;
let planEvents: QueueEvents;

// Wednesday 2026-11-18 10:00 UTC is 11:00 in Stockholm: the test tariff's 1.00 SEK/kWh window,
// 0.10 USD/kWh at 0.1 USD per SEK.
let now = new Date("2026-11-18T10:00:00Z");
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

/** An ETC quote from now on, in USD per H/s per day. */
const quoteEtc = (usdPerHsDay: string) =>
  tdb.db.marketQuote.create({ data: { kind: "COIN", symbol: "ETC", algorithm: "etchash", at: now, priceUsd: "20", usdPerHsDay, source: "test" } });

/** One run of the real plan worker, through its queue. */
const runPlan = async () => {
  const job = await scheduler.planQueue.add("plan", {});
  return (await job.waitUntilFinished(planEvents, 30_000)) as { planId: string; commands: number; heldBack: number };
};

const latestDecisions = async () => {
  const plan = await tdb.db.plan.findFirstOrThrow({ orderBy: { at: "desc" }, include: { decisions: true } });
  return new Map(plan.decisions.map((d) => [d.gpuId, d]));
};

const plannerCommands = () => tdb.db.command.findMany({ where: { source: "PLANNER" }, include: { gpus: true }, orderBy: { createdAt: "asc" } });

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
  // Hashing or idling only: the farm's workload is not in the queue.
  await tdb.db.aiWorkload.update({ where: { id: farm.workloadId }, data: { status: "DONE" } });
  await tdb.db.marketQuote.create({ data: { kind: "FX", symbol: "SEK", at: new Date("2026-11-01T00:00:00Z"), priceUsd: "0.1", source: "test" } });
  // Decide in one plan and on cent-sized gains, so each test sees the switch a clear price change calls for.
  await tdb.db.site.update({ where: { id: farm.siteId }, data: { plannerPolicy: { confirmPlans: 1, minDwellMin: 0, minGainPct: 0, minGainUsdPerHour: 0.001 } } });
  redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: null });
  prefix = testRedisPrefix();
  scheduler = await startScheduler({
    config: { ...base, REDIS_PREFIX: prefix, COMMAND_POLL_MS: 200, LEDGER_CATCH_UP_HOURS: 0, PLAN_INTERVAL_MS: 0, MARKET_POLL_MS: 0, WORKLOAD_FEED_POLL_MS: 0, PLAN_LEARN_DAYS: 0 },
    db: tdb.db,
    redis,
    log: createLog("silent"),
    now: () => now,
  });
  planEvents = new QueueEvents(QUEUES.plan, { connection: { url: base.REDIS_URL }, prefix });
  await planEvents.waitUntilReady();
});

afterAll(async () => {
  await planEvents?.close();
  await scheduler?.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await tdb.drop();
});

describe("plan job", () => {
  it("records every GPU's decision and keeps hashing while ETC pays for its energy", async () => {
    // 1e-8 USD per H/s per day: a 3090 at 120 MH/s earns 0.05 USD/h for 0.029 USD/h of energy.
    await quoteEtc("0.00000001");
    const result = await runPlan();
    expect(result.commands).toBe(0);
    const decisions = await latestDecisions();
    const [gpu0, gpu1] = farm.gpuIds as [string, string];
    expect([...decisions.keys()].sort()).toEqual([gpu0, gpu1].sort());
    const d1 = decisions.get(gpu1)!;
    expect(d1).toMatchObject({ changed: false, hashCoin: "ETC", commandId: null });
    expect(d1.target).toEqual({ mode: "HASH", coin: "ETC", algorithm: "etchash" });
    expect(Number(d1.hashUsdPerHour)).toBeGreaterThan(0);
    expect(d1.reason.length).toBeGreaterThan(0);
    expect(await plannerCommands()).toHaveLength(0);
  });

  it("idles both GPUs through one PLANNER command when ETC crashes below their energy cost", async () => {
    now = minutes(1);
    // A tenth of the price: the 3090 would earn 0.005 USD/h and burn 0.029.
    await quoteEtc("0.000000001");
    const result = await runPlan();
    expect(result.commands).toBe(1);
    const [command] = await plannerCommands();
    expect(command).toMatchObject({ mode: "IDLE", status: "QUEUED", source: "PLANNER" });
    expect(command!.gpus.map((g) => g.gpuId).sort()).toEqual([...farm.gpuIds].sort());
    // The command goes the way a manual one does: a delivery job under its id.
    expect(await scheduler.commandsQueue.getJob(command!.id)).toBeTruthy();
    const decisions = await latestDecisions();
    for (const gpuId of farm.gpuIds) {
      expect(decisions.get(gpuId)).toMatchObject({ changed: true, commandId: command!.id, target: { mode: "IDLE" } });
      expect(Number(decisions.get(gpuId)!.hashUsdPerHour)).toBeLessThan(Number(decisions.get(gpuId)!.idleUsdPerHour));
    }
    expect((await tdb.db.gpu.findMany({ where: { id: { in: farm.gpuIds } } })).map((g) => g.desiredMode)).toEqual(["IDLE", "IDLE"]);
  });

  it("does not command a GPU again while its command is in flight, then does once it lands", async () => {
    now = minutes(1);
    // ETC recovers far above break-even: the planner wants both GPUs hashing again.
    await quoteEtc("0.0000001");
    const held = await runPlan();
    expect(held.commands).toBe(0);
    expect(held.heldBack).toBe(2);
    expect(await plannerCommands()).toHaveLength(1);

    const [command] = await plannerCommands();
    for (const [index] of farm.gpuIds.entries()) {
      await recordCommandProgress(tdb.db, { commandId: command!.id, rigId: farm.rigId, gpuIndex: index, status: "DONE", step: "IDLE", message: null, at: now });
    }
    now = minutes(1);
    const after = await runPlan();
    expect(after.commands).toBe(1);
    const commands = await plannerCommands();
    expect(commands[1]).toMatchObject({ mode: "HASHING" });
    expect(commands[1]!.gpus.every((g) => g.minerProfileId === farm.minerProfileId)).toBe(true);
  });

  it("leaves a pinned GPU where the operator put it and a GPU in maintenance alone", async () => {
    const [gpu0, gpu1] = farm.gpuIds as [string, string];
    const [, hashing] = await plannerCommands();
    for (const [index] of farm.gpuIds.entries()) {
      await recordCommandProgress(tdb.db, { commandId: hashing!.id, rigId: farm.rigId, gpuIndex: index, status: "DONE", step: "HASHING", message: null, at: now });
    }
    await tdb.db.gpu.update({ where: { id: gpu1 }, data: { pinTarget: { mode: "HASH", coin: "ETC", algorithm: "etchash" }, pinUntil: minutes(120) } });
    now = minutes(1);
    await quoteEtc("0.000000001");
    const result = await runPlan();
    expect(result.commands).toBe(1);
    const commands = await plannerCommands();
    expect(commands[2]!.gpus.map((g) => g.gpuId)).toEqual([gpu0]);
    const decisions = await latestDecisions();
    expect(decisions.get(gpu1)).toMatchObject({ binding: "pinned", changed: false, commandId: null });

    // The pin has run out and GPU 0 is in maintenance: only GPU 1 is idled now.
    for (const [index] of farm.gpuIds.entries()) {
      if (index === 0) await recordCommandProgress(tdb.db, { commandId: commands[2]!.id, rigId: farm.rigId, gpuIndex: 0, status: "DONE", step: "IDLE", message: null, at: now });
    }
    await tdb.db.gpu.update({ where: { id: gpu0 }, data: { maintenance: true } });
    now = minutes(121);
    const later = await runPlan();
    expect(later.commands).toBe(1);
    expect((await plannerCommands())[3]!.gpus.map((g) => g.gpuId)).toEqual([gpu1]);
    expect((await latestDecisions()).get(gpu0)).toMatchObject({ binding: "maintenance", commandId: null });
  });

  it("does not command a GPU an operator switched after the planner last ran", async () => {
    const [gpu0, gpu1] = farm.gpuIds as [string, string];
    await tdb.db.gpu.update({ where: { id: gpu0 }, data: { maintenance: false } });
    const before = (await plannerCommands()).length;
    // GPU 1 is idling under the planner's last command; an operator sends it to hash, unpinned.
    await tdb.db.command.updateMany({ where: { source: "PLANNER", status: { in: ["QUEUED", "DISPATCHED", "RUNNING"] } }, data: { status: "DONE" } });
    await tdb.db.commandGpu.updateMany({ where: { command: { source: "PLANNER" } }, data: { status: "DONE" } });
    await createSwitchCommand(tdb.db, { gpuIds: [gpu1], mode: "HASHING", ttlS: 600, source: "USER", userId: farm.users.operator.id, now });
    now = minutes(1);
    await runPlan();
    const after = await plannerCommands();
    expect(after.slice(before).flatMap((c) => c.gpus.map((g) => g.gpuId))).not.toContain(gpu1);
  });

  it("records the work it could not place and why, and leaves it pending", async () => {
    // 80 GB per GPU: the farm's cards have 12 and 24.
    const big = await tdb.db.aiWorkload.create({
      data: { name: "70b pretrain", customer: "Test AI", gpusNeeded: 1, minVramMb: 81_920, usdPerGpuHour: "2.00", checkpointGraceS: 30 },
    });
    now = minutes(1);
    const { planId } = await runPlan();
    const latest = await findLatestPlanView(tdb.db);
    expect(latest?.id).toBe(planId);
    const entry = latest!.unplaced.find((u) => u.workloadId === big.id);
    expect(entry?.reason).toMatch(/80 GB/);
    expect(latest!.placements.map((p) => p.workloadId)).not.toContain(big.id);
    expect((await tdb.db.aiWorkload.findUniqueOrThrow({ where: { id: big.id } })).status).toBe("PENDING");
  });
});
