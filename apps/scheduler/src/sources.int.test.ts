import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSchedulerConfig } from "@rigshift/config";
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
let marketEvents: QueueEvents;
let feedEvents: QueueEvents;
let server: Server;
let origin: string;

/** What the local HTTP server answers per path: a JSON body, or a status to fail with. */
const routes = new Map<string, unknown>();
const hits = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? "/";
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = routes.get(path);
    if (body === undefined || typeof body === "number") {
      res.writeHead(typeof body === "number" ? body : 404).end("no");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(typeof body === "string" ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
  redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: null });
  prefix = testRedisPrefix();
  scheduler = await startScheduler({
    config: {
      ...base, REDIS_PREFIX: prefix, LEDGER_CATCH_UP_HOURS: 0, PLAN_INTERVAL_MS: 0, MARKET_POLL_MS: 0, WORKLOAD_FEED_POLL_MS: 0, SOURCE_FETCH_TIMEOUT_MS: 2000,
    },
    db: tdb.db,
    redis,
    log: createLog("silent"),
  });
  marketEvents = new QueueEvents(QUEUES.marketSources, { connection: { url: base.REDIS_URL }, prefix });
  feedEvents = new QueueEvents(QUEUES.workloadSources, { connection: { url: base.REDIS_URL }, prefix });
  await Promise.all([marketEvents.waitUntilReady(), feedEvents.waitUntilReady()]);
});

afterAll(async () => {
  await marketEvents?.close();
  await feedEvents?.close();
  await scheduler?.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await tdb.drop();
  await new Promise((r) => server.close(r));
});

const pollMarket = async (sourceId: string) => {
  const job = await scheduler.marketSourcesQueue.add("poll", { sourceId }, { attempts: 1 });
  return job.waitUntilFinished(marketEvents, 15_000);
};
const pollFeed = async (sourceId: string) => {
  const job = await scheduler.workloadSourcesQueue.add("poll", { sourceId }, { attempts: 1 });
  return job.waitUntilFinished(feedEvents, 15_000);
};

describe("HTTP market sources", () => {
  it("maps a coin API's records into quotes priced per H/s per day, once however often it is polled", async () => {
    routes.set("/etc", { data: { history: [
      { time: "2026-11-17T00:00:00Z", price: "20", hashrate: 2e14, issued: 13000 },
      { time: 1_794_960_000, price: 21, hashrate: "2.1e14", issued: 13000 },
    ] } });
    const source = await tdb.db.marketSource.create({
      data: { name: "etc api", kind: "COIN", url: `${origin}/etc`, symbol: "ETC", algorithm: "etchash",
        mapping: { items: "data.history", ts: "time", price: "price", networkHashrate: "hashrate", issuancePerDay: "issued" } },
    });
    expect(await pollMarket(source.id)).toMatchObject({ rows: 2, inserted: 2 });
    expect(await pollMarket(source.id)).toMatchObject({ rows: 2, inserted: 0 });
    const quotes = await tdb.db.marketQuote.findMany({ where: { symbol: "ETC", source: "http:etc api" }, orderBy: { at: "asc" } });
    // 13000 ETC a day × 20 USD / 2e14 H/s = 1.3e-9 USD per H/s per day; the second row's ts is epoch seconds.
    expect(quotes.map((q) => [q.at.toISOString(), q.usdPerHsDay?.toString()])).toEqual([
      ["2026-11-17T00:00:00.000Z", "1.3e-9"],
      ["2026-11-18T00:00:00.000Z", "1.3e-9"],
    ]);
    expect(await tdb.db.marketSource.findUniqueOrThrow({ where: { id: source.id } })).toMatchObject({ lastError: null });
  });

  it("stores FX rates and a site's energy prices", async () => {
    routes.set("/fx", [{ date: "2026-11-18T00:00:00Z", rate: 0.095 }]);
    routes.set("/spot", { prices: [{ start: "2026-11-18T10:00:00Z", eurMwh: "-3.5", ccy: "eur" }] });
    const fx = await tdb.db.marketSource.create({ data: { name: "sek", kind: "FX", url: `${origin}/fx`, symbol: "SEK", mapping: { ts: "date", usdPerUnit: "rate" } } });
    const spot = await tdb.db.marketSource.create({
      data: { name: "spot", kind: "ENERGY", url: `${origin}/spot`, siteId: farm.siteId, mapping: { items: "prices", ts: "start", perMwh: "eurMwh", currency: "ccy" } },
    });
    await pollMarket(fx.id);
    await pollMarket(spot.id);
    expect((await tdb.db.marketQuote.findFirstOrThrow({ where: { kind: "FX", symbol: "SEK" } })).priceUsd.toString()).toBe("0.095");
    expect(await tdb.db.energyPrice.findFirstOrThrow({ where: { siteId: farm.siteId } })).toMatchObject({ currency: "EUR", source: "http:spot" });
  });

  it("records a failing source, retries it, and leaves its stored quotes as they were", async () => {
    const source = await tdb.db.marketSource.findFirstOrThrow({ where: { name: "etc api" } });
    const before = await tdb.db.marketQuote.count();
    routes.set("/etc", 503);
    hits.set("/etc", 0);
    const job = await scheduler.marketSourcesQueue.add("poll", { sourceId: source.id }, { attempts: 2, backoff: { type: "fixed", delay: 100 } });
    await expect(job.waitUntilFinished(marketEvents, 15_000)).rejects.toThrow(/HTTP 503/);
    expect(hits.get("/etc")).toBe(2);
    expect((await tdb.db.marketSource.findUniqueOrThrow({ where: { id: source.id } })).lastError).toMatch(/HTTP 503/);

    // A document with one record that does not read stores none of its records.
    routes.set("/etc", { data: { history: [{ time: "2026-11-19T00:00:00Z", price: "22", hashrate: 2e14, issued: 13000 }, { time: "2026-11-20T00:00:00Z", price: "n/a", hashrate: 2e14, issued: 1 }] } });
    await expect(pollMarket(source.id)).rejects.toThrow(/record 1: price/);
    expect(await tdb.db.marketQuote.count()).toBe(before);
  });

  it("queues a poll of every enabled source from the sweep", async () => {
    await tdb.db.marketSource.updateMany({ where: { name: { not: "sek" } }, data: { enabled: false } });
    routes.set("/fx", [{ date: "2026-11-19T00:00:00Z", rate: 0.096 }]);
    const sweep = await scheduler.marketSourcesQueue.add("sweep", {});
    expect(await sweep.waitUntilFinished(marketEvents, 15_000)).toEqual({ queued: 1 });
    await expect.poll(() => tdb.db.marketQuote.count({ where: { kind: "FX", symbol: "SEK" } }), { timeout: 10_000 }).toBe(2);
  });
});

describe("workload feed", () => {
  const feedJob = (id: string | number, extra: object = {}) => ({ id, customer: "Market AI", gpus: 1, minVramGb: 16, hours: 2, usdPerGpuHour: "0.45", ...extra });
  let sourceId: string;

  it("adds the feed's jobs to the queue once, however often it is polled", async () => {
    routes.set("/jobs", { jobs: [feedJob("a"), feedJob("b", { gpus: 2, sameRig: true, hours: null }), feedJob(7, { usdPerGpuHour: 0.3 })] });
    sourceId = (await tdb.db.workloadSource.create({ data: { name: "market", url: `${origin}/jobs` } })).id;
    expect(await pollFeed(sourceId)).toMatchObject({ jobs: 3, created: 3 });
    expect(await pollFeed(sourceId)).toMatchObject({ jobs: 3, created: 0, updated: 0, cancelled: 0 });
    const rows = await tdb.db.aiWorkload.findMany({ where: { sourceId }, orderBy: { externalId: "asc" } });
    expect(rows.map((w) => [w.externalId, w.gpusNeeded, w.minVramMb, w.expectedHours?.toString() ?? null, w.usdPerGpuHour.toString(), w.status])).toEqual([
      ["7", 1, 16_384, "2", "0.3", "PENDING"],
      ["a", 1, 16_384, "2", "0.45", "PENDING"],
      ["b", 2, 16_384, null, "0.45", "PENDING"],
    ]);
  });

  it("takes new terms for pending jobs and cancels jobs gone from the feed unless running", async () => {
    await tdb.db.aiWorkload.updateMany({ where: { sourceId, externalId: "7" }, data: { status: "RUNNING" } });
    routes.set("/jobs", { jobs: [feedJob("a", { usdPerGpuHour: "0.50" })] });
    expect(await pollFeed(sourceId)).toMatchObject({ created: 0, updated: 1, cancelled: 1 });
    const byId = new Map((await tdb.db.aiWorkload.findMany({ where: { sourceId } })).map((w) => [w.externalId, w]));
    expect(byId.get("a")).toMatchObject({ status: "PENDING" });
    expect(byId.get("a")!.usdPerGpuHour.toString()).toBe("0.5");
    expect(byId.get("b")).toMatchObject({ status: "CANCELLED" });
    expect(byId.get("7")).toMatchObject({ status: "RUNNING" });
  });

  it("rejects a feed with a bad job whole, changing nothing and naming the job", async () => {
    routes.set("/jobs", { jobs: [feedJob("c"), { id: "d", customer: "x", gpus: 0 }] });
    await expect(pollFeed(sourceId)).rejects.toThrow(/job 1: .*gpus/);
    expect(await tdb.db.aiWorkload.count({ where: { sourceId, externalId: "c" } })).toBe(0);
    expect(await tdb.db.aiWorkload.findFirstOrThrow({ where: { sourceId, externalId: "a" } })).toMatchObject({ status: "PENDING" });
    expect((await tdb.db.workloadSource.findUniqueOrThrow({ where: { id: sourceId } })).lastError).toMatch(/job 1/);
  });
});
