import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createSimulatedBackend, startAgent, type RunningAgent } from "@rigshift/agent";
import { loadGatewayConfig, type AgentConfigFile } from "@rigshift/config";
import { createTestDatabase, insertTestFarm, testRedisPrefix, type TestDatabase, type TestFarm } from "@rigshift/db/testing";
import { startGateway, type Gateway } from "@rigshift/gateway";
import { startTcpProxy } from "./support/tcp-proxy";

/**
 * A rig loses its uplink, its agent restarts during the outage, the link comes back: every
 * sample taken meanwhile reaches the database exactly once, in seq order with no hole.
 */

const silent = pino({ level: "silent" });
const base = loadGatewayConfig();
let tdb: TestDatabase;
let farm: TestFarm;
let redis: Redis;
let prefix: string;
let gateway: Gateway;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let spoolDir: string;
const agents: RunningAgent[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const runAgent = (config: AgentConfigFile) => {
  const agent = startAgent({
    config,
    backend: createSimulatedBackend({ models: ["NVIDIA GeForce RTX 3060", "NVIDIA GeForce RTX 3090"], seed: 3 }),
    log: silent,
    link: { reconnectMinMs: 100, reconnectMaxMs: 300, ackTimeoutMs: 1_000 },
  });
  agents.push(agent);
  return agent;
};

const storedSeqs = async () =>
  (await tdb.db.telemetrySample.findMany({ where: { rigId: farm.rigId, gpuIndex: 1 }, select: { seq: true }, orderBy: { seq: "asc" } })).map((r) => Number(r.seq));

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
  redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: null });
  prefix = testRedisPrefix();
  gateway = await startGateway({
    config: { ...base, DATABASE_URL: tdb.url, GATEWAY_PORT: 0, GATEWAY_HOST: "127.0.0.1", REDIS_PREFIX: prefix, TELEMETRY_BATCH_MS: 20 },
    db: tdb.db,
    redis,
    log: silent,
  });
  proxy = await startTcpProxy({ host: "127.0.0.1", port: gateway.port });
  spoolDir = await mkdtemp(path.join(tmpdir(), "rigshift-spool-"));
});

afterAll(async () => {
  for (const a of agents) await a.stop();
  await proxy.close();
  await gateway.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await tdb.drop();
  await rm(spoolDir, { recursive: true, force: true });
});

it("stores every sample once across a network cut with an agent restart in the middle", async () => {
  const res = await fetch(`${proxy.url}/api/agent/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: farm.enrollmentToken, hostname: "rig-01.test", agentVersion: "test" }),
  });
  const { rigToken } = (await res.json()) as { rigToken: string };
  const config: AgentConfigFile = { server: proxy.url, rigId: farm.rigId, rigToken, intervalS: 1, simulate: null, spool: { dir: spoolDir, maxBytes: 16 * 1024 * 1024, maxAgeS: 3600, replayPerS: 20 } };

  const first = runAgent(config);
  await expect.poll(async () => (await storedSeqs()).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);

  proxy.cut();
  const storedAtCut = (await storedSeqs()).length;
  await sleep(3_000);
  // The agent dies while the link is down; the next one starts before the link returns.
  await first.stop();
  const second = runAgent(config);
  await sleep(3_000);
  expect((await storedSeqs()).length).toBeLessThanOrEqual(storedAtCut + 1);

  proxy.restore();
  await expect.poll(() => second.connected(), { timeout: 10_000 }).toBe(true);
  // About six seconds of samples were taken while cut off, by two agent processes.
  await expect.poll(async () => (await storedSeqs()).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(storedAtCut + 5);
  // The backlog is acked: the agent knows the gateway holds everything it spooled.
  await expect.poll(async () => (second.lastAckedSeq() ?? -1) >= ((await storedSeqs()).at(-1) ?? 0), { timeout: 10_000 }).toBe(true);
  await second.stop();

  const seqs = await storedSeqs();
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
  // Both GPUs of every message, never one twice (the primary key would refuse it; count to be sure).
  expect(await tdb.db.telemetrySample.count({ where: { rigId: farm.rigId } })).toBe(seqs.length * 2);
  expect(second.lastAckedSeq()).toBeGreaterThanOrEqual(seqs.at(-1)! - 1);
});
