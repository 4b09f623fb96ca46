import { Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadSchedulerConfig } from "@rigshift/config";
import { createCommandDispatcher, createDb, createSwitchCommand, getCommandView, recordCommandProgress } from "@rigshift/db";
import { createTestDatabase, insertTestFarm, testRedisPrefix, type TestDatabase, type TestFarm } from "@rigshift/db/testing";
import { commandDeliveryJob, COMMAND_DISPATCH_CHANNEL, QUEUES, type CommandDispatch } from "@rigshift/protocol";
import { createCommandProcessor } from "./command-worker";
import { createLog } from "./log";
import { startScheduler, type Scheduler } from "./scheduler";

const base = loadSchedulerConfig();
const connection = { url: base.REDIS_URL, maxRetriesPerRequest: null };
const log = createLog("silent");
let tdb: TestDatabase;
let farm: TestFarm;
let redis: Redis;
let subscriber: Redis;
let prefix: string;
let queue: Queue;
let scheduler: Scheduler | undefined;
const dispatches: CommandDispatch[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
  redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: null });
  subscriber = redis.duplicate();
  prefix = testRedisPrefix();
  await subscriber.subscribe(`${prefix}:${COMMAND_DISPATCH_CHANNEL}`);
  subscriber.on("message", (_channel, text: string) => dispatches.push(JSON.parse(text) as CommandDispatch));
  queue = new Queue(QUEUES.commands, { connection, prefix });
});

afterAll(async () => {
  await scheduler?.close();
  await queue.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  subscriber.disconnect();
  redis.disconnect();
  await tdb.drop();
});

it("retries the delivery job of an open command that failed while the database was down: it is sent and ends DONE, or expires", async () => {
  const write = (ttlS: number) =>
    createSwitchCommand(tdb.db, { gpuIds: [farm.gpuIds[1]!], mode: "AI", ttlS, source: "USER", userId: farm.users.operator.id, now: new Date() });
  const open = await write(600);
  const late = await write(2);

  // Each job's one run meets a database that does not answer, as a scheduler does while PostgreSQL restarts.
  // (One attempt here instead of the job's five, so the test need not sit through their backoff.)
  const downDb = createDb({ databaseUrl: "postgresql://postgres@127.0.0.1:1/rigshift" });
  const downWorker = new Worker(
    QUEUES.commands,
    createCommandProcessor({ db: downDb, dispatch: createCommandDispatcher({ redis, prefix }), pollMs: 200, log, now: () => new Date() }),
    { connection, prefix },
  );
  for (const { id } of [open, late]) {
    const job = commandDeliveryJob(id);
    await queue.add(job.name, job.data, { ...job.opts, attempts: 1 });
  }
  await expect.poll(() => Promise.all([queue.getJobState(open.id), queue.getJobState(late.id)]), { timeout: 10_000 }).toEqual(["failed", "failed"]);
  expect((await queue.getJob(open.id))?.failedReason).toMatch(/reach database server/);
  await downWorker.close();
  await downDb.$disconnect();
  expect(dispatches).toEqual([]);
  // Past the late one's deadline while it had no live job.
  await expect.poll(() => Date.now() > late.expiresAt.getTime(), { timeout: 5_000 }).toBe(true);

  // The database is back; a scheduler starts, and its sweep finds both open commands with failed jobs.
  scheduler = await startScheduler({
    config: { ...base, REDIS_PREFIX: prefix, COMMAND_POLL_MS: 200, COMMAND_SWEEP_MS: 300, PLAN_INTERVAL_MS: 0, MARKET_POLL_MS: 0, WORKLOAD_FEED_POLL_MS: 0 },
    db: tdb.db,
    redis,
    log,
  });
  await expect.poll(() => dispatches.find((d) => d.commandId === open.id), { timeout: 10_000 }).toEqual({ commandId: open.id, rigIds: [farm.rigId] });
  await expect.poll(async () => (await getCommandView(tdb.db, late.id)).status, { timeout: 10_000 }).toBe("EXPIRED");
  expect(dispatches.some((d) => d.commandId === late.id)).toBe(false);

  await recordCommandProgress(tdb.db, { commandId: open.id, rigId: farm.rigId, gpuIndex: 1, status: "DONE", step: "AI", message: null, at: new Date() });
  const events = new QueueEvents(QUEUES.commands, { connection, prefix });
  try {
    await events.waitUntilReady();
    const job = (await queue.getJob(open.id))!;
    expect(await job.waitUntilFinished(events, 10_000)).toEqual({ commandId: open.id, status: "DONE" });
  } finally {
    await events.close();
  }
});
