import { randomUUID } from "node:crypto";
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSchedulerConfig } from "@rigshift/config";
import { createTelemetryWriter, ensureTelemetryPartitions, groupTelemetryMessages, listTelemetryPartitions, type TelemetryRow, type TelemetryWriter } from "@rigshift/db";
import { createTestDatabase, testRedisPrefix, type TestDatabase } from "@rigshift/db/testing";
import { createLog } from "./log";
import { RETENTION_QUEUE } from "./retention-worker";
import { startScheduler, type Scheduler } from "./scheduler";

const base = loadSchedulerConfig();
const NOW = new Date("2026-11-20T12:00:00Z");
let tdb: TestDatabase;
let redis: Redis;
let prefix: string;
let scheduler: Scheduler;
let events: QueueEvents;
let writer: TelemetryWriter;
const rigId = randomUUID();
const gpuId = randomUUID();

const AT = ["1999-01-01T00:00:00Z", "2026-11-01T08:00:00Z", "2026-11-10T08:00:00Z", "2026-11-13T18:00:00Z", "2026-11-15T08:00:00Z", "2026-11-20T11:59:00Z", "2026-11-23T23:59:59.999Z", "2030-06-01T00:00:00Z"];
const row = (seq: number, at: string): TelemetryRow => ({
  rigId, seq, gpuIndex: 0, gpuId, at: new Date(at), mode: "IDLE", coin: null, workloadId: null,
  hashrateHs: null, tempC: 50, powerW: 40, fanPct: 30, utilPct: 0, vramUsedMb: 0,
});

/** Where each stored row lives: its time and its partition. */
const placement = async () =>
  (await tdb.db.$queryRaw<{ at: Date; part: string }[]>`
    SELECT "at", tableoid::regclass::text AS part FROM "TelemetryMessage" WHERE "rigId" = ${rigId}::uuid ORDER BY "at"`)
    .map((r) => [r.at.toISOString(), r.part.replaceAll('"', "")]);

beforeAll(async () => {
  tdb = await createTestDatabase();
  writer = createTelemetryWriter({ databaseUrl: tdb.url });
  redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: null });
  prefix = testRedisPrefix();
  events = new QueueEvents(RETENTION_QUEUE, { connection: { url: base.REDIS_URL }, prefix });
  await events.waitUntilReady();
  scheduler = await startScheduler({
    config: {
      ...base, REDIS_PREFIX: prefix, LEDGER_CATCH_UP_HOURS: 0, TELEMETRY_RETENTION_DAYS: 7, TELEMETRY_PARTITIONS_AHEAD_DAYS: 3,
      // The planner would command this farm's GPUs mid-test: its jobs are tested in plan.int.test.ts.
      PLAN_INTERVAL_MS: 0, MARKET_POLL_MS: 0, WORKLOAD_FEED_POLL_MS: 0,
    },
    db: tdb.db,
    redis,
    log: createLog("silent"),
    now: () => NOW,
  });
  // The start-up run makes today's and the next 3 days' partitions.
  for (let i = 0; (await listTelemetryPartitions(tdb.db)).length < 4; i++) {
    if (i > 200) throw new Error("partitions were not made at start");
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(async () => {
  await writer.close();
  await events.close();
  await scheduler.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await tdb.drop();
});

describe("telemetry partitions and retention", () => {
  it("makes today's and the next days' partitions at start, BRIN on time included", async () => {
    expect((await listTelemetryPartitions(tdb.db)).map((p) => p.name)).toEqual([
      "TelemetryMessage_p20261120", "TelemetryMessage_p20261121", "TelemetryMessage_p20261122", "TelemetryMessage_p20261123",
    ]);
    const indexes = await tdb.db.$queryRaw<{ indexdef: string }[]>`SELECT indexdef FROM pg_indexes WHERE tablename = 'TelemetryMessage_p20261120'`;
    expect(indexes.some((i) => /USING brin \("?at"?\)/.test(i.indexdef))).toBe(true);
  });

  it("stores rows of any date: in their day's partition, or the default one", async () => {
    expect(await writer.write(groupTelemetryMessages(AT.map((at, seq) => row(seq, at))))).toBe(AT.length);
    expect(await writer.write(groupTelemetryMessages([row(5, AT[5]!)]))).toBe(0);
    expect(await placement()).toEqual([
      [new Date(AT[0]!).toISOString(), "TelemetryMessage_default"],
      [new Date(AT[1]!).toISOString(), "TelemetryMessage_default"],
      [new Date(AT[2]!).toISOString(), "TelemetryMessage_default"],
      [new Date(AT[3]!).toISOString(), "TelemetryMessage_default"],
      [new Date(AT[4]!).toISOString(), "TelemetryMessage_default"],
      [new Date(AT[5]!).toISOString(), "TelemetryMessage_p20261120"],
      [new Date(AT[6]!).toISOString(), "TelemetryMessage_p20261123"],
      [new Date(AT[7]!).toISOString(), "TelemetryMessage_default"],
    ]);
  });

  it("moves a day's rows out of the default partition when the day gets its own", async () => {
    expect(await ensureTelemetryPartitions(tdb.db, { from: new Date("2026-11-09T05:00:00Z"), days: 6 })).toHaveLength(6);
    const parts = Object.fromEntries((await placement()).map(([at, part]) => [at, part]));
    expect(parts[new Date(AT[2]!).toISOString()]).toBe("TelemetryMessage_p20261110");
    expect(parts[new Date(AT[3]!).toISOString()]).toBe("TelemetryMessage_p20261113");
  });

  it("makes a day's partition when a long read of the default partition holds it up past Prisma's 5 s", async () => {
    let made: Promise<string[]> | undefined;
    // A long report or fold reading the default partition: attaching a day waits for it to end.
    await tdb.db.$transaction(async (reader) => {
      await reader.$queryRaw`SELECT count(*) FROM "TelemetryMessage_default"`;
      made = ensureTelemetryPartitions(tdb.db, { from: new Date("2026-11-15T00:00:00Z"), days: 1 });
      await new Promise((r) => setTimeout(r, 6_000));
    }, { timeout: 20_000 });
    expect(await made).toEqual(["TelemetryMessage_p20261115"]);
    expect(Object.fromEntries(await placement())[new Date(AT[4]!).toISOString()]).toBe("TelemetryMessage_p20261115");
  });

  it("drops the days past retention and keeps the rows inside it", async () => {
    const job = await scheduler.retentionQueue.add("maintain", {});
    const result = (await job.waitUntilFinished(events, 20_000)) as { dropped: string[]; defaultRows: number };
    // Retention reaches back to 2026-11-13 12:00: days that ended by then go whole.
    expect(result.dropped).toEqual(["TelemetryMessage_p20261109", "TelemetryMessage_p20261110", "TelemetryMessage_p20261111", "TelemetryMessage_p20261112"]);
    expect(result.defaultRows).toBe(2);
    expect((await placement()).map(([at]) => at)).toEqual([AT[3], AT[4], AT[5], AT[6], AT[7]].map((a) => new Date(a!).toISOString()));
    expect((await listTelemetryPartitions(tdb.db)).map((p) => p.name)[0]).toBe("TelemetryMessage_p20261113");
    // And inserts still succeed for any date, dropped days included.
    expect(await writer.write(groupTelemetryMessages([row(100, "2026-11-10T09:00:00Z"), row(101, "2026-11-21T09:00:00Z")]))).toBe(2);
  });
});
