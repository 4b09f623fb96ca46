import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimulatedBackend, startAgent, type RunningAgent } from "@rigshift/agent";
import { loadGatewayConfig, loadSchedulerConfig } from "@rigshift/config";
import { createGpuLiveStore, createSwitchCommand, getCommandView } from "@rigshift/db";
import { createTestDatabase, insertTestFarm, testRedisPrefix, type TestDatabase, type TestFarm } from "@rigshift/db/testing";
import { startGateway, type Gateway } from "@rigshift/gateway";
import { QUEUES, type TargetMode } from "@rigshift/protocol";
import { startScheduler, type Scheduler } from "@rigshift/scheduler";

/**
 * The whole path on the real stack, in one process: a simulated rig's agent enrols with a real
 * gateway, its telemetry lands in PostgreSQL and Redis, and a switch goes from a command row
 * through the BullMQ queue and the gateway to the agent's state machine and back to DONE.
 */

const silent = pino({ level: "silent" });
const gatewayBase = loadGatewayConfig();
const schedulerBase = loadSchedulerConfig();
let tdb: TestDatabase;
let farm: TestFarm;
let redis: Redis;
let prefix: string;
let gateway: Gateway;
let scheduler: Scheduler;
let agent: RunningAgent;
let commandEvents: QueueEvents;
let rigToken: string;

const startOurGateway = (port: number) =>
  startGateway({
    config: { ...gatewayBase, DATABASE_URL: tdb.url, GATEWAY_PORT: port, GATEWAY_HOST: "127.0.0.1", REDIS_PREFIX: prefix, TELEMETRY_BATCH_MS: 20, LIVE_THROTTLE_MS: 100 },
    db: tdb.db,
    redis,
    log: silent,
  });

const switchTo = async (gpuIndex: number, mode: TargetMode) => {
  const { id } = await createSwitchCommand(tdb.db, { gpuIds: [farm.gpuIds[gpuIndex]!], mode, ttlS: 60, source: "USER", userId: farm.users.operator.id, now: new Date() });
  const job = await scheduler.commandsQueue.add("deliver", { commandId: id }, { jobId: id });
  return { id, result: await job.waitUntilFinished(commandEvents, 30_000) };
};

const latestSample = (gpuIndex: number) =>
  tdb.db.telemetrySample.findFirst({ where: { rigId: farm.rigId, gpuIndex }, orderBy: { seq: "desc" } });

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
  redis = new Redis(gatewayBase.REDIS_URL, { maxRetriesPerRequest: null });
  prefix = testRedisPrefix();
  gateway = await startOurGateway(0);
  scheduler = await startScheduler({ config: { ...schedulerBase, REDIS_PREFIX: prefix, COMMAND_POLL_MS: 200 }, db: tdb.db, redis, log: silent });
  commandEvents = new QueueEvents(QUEUES.commands, { connection: { url: schedulerBase.REDIS_URL }, prefix });
  await commandEvents.waitUntilReady();

  const res = await fetch(`${gateway.url}/api/agent/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: farm.enrollmentToken, hostname: "rig-01.test", agentVersion: "test" }),
  });
  expect(res.status).toBe(200);
  rigToken = ((await res.json()) as { rigToken: string }).rigToken;
  const fast = { minerStartMs: 50, minerStopMs: 50, workloadStartMs: 50, workloadCheckpointMs: 50, minerApiDelayMs: 0, warmupMs: 100 };
  agent = startAgent({
    config: { server: gateway.url, rigId: farm.rigId, rigToken, intervalS: 1, simulate: null },
    backend: createSimulatedBackend({ models: ["NVIDIA GeForce RTX 3060", "NVIDIA GeForce RTX 3090"], seed: 7, timings: fast }),
    log: silent,
    link: { reconnectMinMs: 100, reconnectMaxMs: 500, ackTimeoutMs: 2_000 },
  });
});

afterAll(async () => {
  await agent?.stop();
  await commandEvents?.close();
  await scheduler?.close();
  await gateway?.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await tdb.drop();
});

describe("walking skeleton", () => {
  it("stores the rig's telemetry and keeps each GPU's live state in Redis", async () => {
    await expect.poll(() => agent.connected(), { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => (await latestSample(1))?.seq ?? -1n, { timeout: 10_000 }).toBeGreaterThanOrEqual(2n);
    const sample = (await latestSample(1))!;
    expect(sample).toMatchObject({ gpuId: farm.gpuIds[1], mode: "HASHING", coin: "ETC" });
    // An RTX 3090 on etchash: tens of MH/s at a few hundred watts.
    expect(sample.hashrateHs).toBeGreaterThan(50e6);
    expect(sample.powerW).toBeGreaterThan(150);
    const live = await createGpuLiveStore({ redis, prefix }).getMany(farm.gpuIds);
    expect(live.get(farm.gpuIds[0]!)).toMatchObject({ rigId: farm.rigId, mode: "HASHING" });
    const rig = await tdb.db.rig.findUniqueOrThrow({ where: { id: farm.rigId } });
    expect(rig).toMatchObject({ hostname: expect.any(String), agentVersion: expect.any(String) });
  });

  it("switches a GPU to AI and back through the queue, the gateway and the agent", async () => {
    const toAi = await switchTo(1, "AI");
    expect(toAi.result).toEqual({ commandId: toAi.id, status: "DONE" });
    const view = await getCommandView(tdb.db, toAi.id);
    expect(view.history.filter((h) => h.gpuId).map((h) => h.step)).toEqual(["DRAINING_HASHING", "STARTING_AI", "AI"]);
    expect((await tdb.db.gpu.findUniqueOrThrow({ where: { id: farm.gpuIds[1]! } })).currentMode).toBe("AI");
    await expect.poll(async () => (await latestSample(1))?.mode, { timeout: 5_000 }).toBe("AI");
    expect((await latestSample(1))!.workloadId).toBe(farm.workloadId);
    // The other GPU was not touched.
    expect((await latestSample(0))!.mode).toBe("HASHING");

    const back = await switchTo(1, "HASHING");
    expect(back.result).toEqual({ commandId: back.id, status: "DONE" });
    await expect.poll(async () => (await latestSample(1))?.mode, { timeout: 5_000 }).toBe("HASHING");
  });

  it("loses no telemetry while the gateway is down", async () => {
    const before = Number((await latestSample(0))!.seq);
    const port = gateway.port;
    await gateway.close();
    await new Promise((r) => setTimeout(r, 3_000));
    gateway = await startOurGateway(port);
    await expect.poll(async () => Number((await latestSample(0))?.seq ?? 0), { timeout: 15_000 }).toBeGreaterThan(before + 4);
    const seqs = (await tdb.db.telemetrySample.findMany({ where: { rigId: farm.rigId, gpuIndex: 0 }, select: { seq: true }, orderBy: { seq: "asc" } })).map((r) => Number(r.seq));
    // Every seq from the first to the last is there once: the outage left no hole.
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
  });
});
