import { Redis } from "ioredis";
import pg from "pg";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadGatewayConfig } from "@rigshift/config";
import { hashToken, newToken } from "@rigshift/db";
import { createTestDatabase, insertTestFarm, testRedisPrefix, type TestDatabase, type TestFarm } from "@rigshift/db/testing";
import { createLog } from "./log";
import { startGateway, type Gateway } from "./server";

/**
 * The database stops taking writes (another session holds a lock on the telemetry table) while
 * agents keep sampling: the gateway stops acking, refuses what would grow its queue past its
 * bound, agents keep what was not acked and back off; once the lock goes every seq is stored once.
 */

const base = loadGatewayConfig();
const BATCH_ROWS = 10;
// The batcher's bound on rows accepted but not written: TELEMETRY_BATCH_ROWS × 20.
const PENDING_BOUND = BATCH_ROWS * 20;
const MESSAGES = 120;
const GPUS = [0, 1, 2, 3, 4, 5, 6, 7];
// As the real agent: 16 telemetry messages in flight.
const WINDOW = 16;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let tdb: TestDatabase;
let farm: TestFarm;
let redis: Redis;
let gateway: Gateway;
const sockets: Socket[] = [];

type Ack = { ok: true; seq: number } | { ok: false; code: string; message: string };

/**
 * An agent as the real one behaves (apps/agent: spool + courier): each sample goes to its spool
 * and leaves only on an ok ack; at most WINDOW in flight; after a refusal or a missing ack it
 * pauses before resending, so it slows down while the gateway is behind.
 */
const runAgent = (socket: Socket, stats: { refused: number; acks: { seq: number; at: number }[] }) => {
  const spool = new Map<number, object>();
  const inFlight = new Set<number>();
  let pausedUntil = 0;
  let produced = 0;
  const startedAt = new Date();
  const message = (seq: number) => ({
    v: 1, seq, at: new Date(startedAt.getTime() + seq * 10).toISOString(),
    gpus: GPUS.map((index) => ({ index, mode: "HASHING", coin: "ETC", workloadId: null, hashrateHs: 48e6 + seq, tempC: 61, powerW: 120, fanPct: 55, utilPct: 100, vramUsedMb: 4500 })),
  });
  const send = async (seq: number) => {
    inFlight.add(seq);
    try {
      const ack = (await socket.timeout(1_000).emitWithAck("telemetry", spool.get(seq))) as Ack;
      if (ack.ok) {
        spool.delete(seq);
        stats.acks.push({ seq, at: Date.now() });
      } else {
        stats.refused++;
        pausedUntil = Date.now() + 150;
      }
    } catch {
      pausedUntil = Date.now() + 150;
    } finally {
      inFlight.delete(seq);
    }
  };
  const done = (async () => {
    while (produced < MESSAGES || spool.size > 0) {
      // Sample every 15 ms into the spool, whatever the link does.
      if (produced < MESSAGES) spool.set(produced, message(produced++));
      if (Date.now() >= pausedUntil) {
        for (const seq of spool.keys()) {
          if (inFlight.size >= WINDOW) break;
          if (!inFlight.has(seq)) void send(seq);
        }
      }
      await sleep(15);
    }
  })();
  return { spool, done };
};

const pendingRows = async () => {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("rigshift_gateway_telemetry_pending_rows "));
  return Number(line!.split(" ")[1]);
};

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
  redis = new Redis(base.REDIS_URL, { maxRetriesPerRequest: null });
  gateway = await startGateway({
    config: {
      ...base, DATABASE_URL: tdb.url, GATEWAY_PORT: 0, GATEWAY_HOST: "127.0.0.1", REDIS_PREFIX: testRedisPrefix(),
      TELEMETRY_BATCH_ROWS: BATCH_ROWS, TELEMETRY_BATCH_MS: 20, LIVE_THROTTLE_MS: 100, WEB_ORIGINS: "http://127.0.0.1:3999",
    },
    db: tdb.db,
    redis,
    log: createLog("silent"),
  });
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await gateway.close();
  redis.disconnect();
  await tdb.drop();
});

/** A fresh rig with eight GPUs, enrolled and greeted: its agent's socket. */
const enrolledAgent = async (n: number) => {
  const token = newToken("enroll");
  await tdb.db.rig.create({ data: { siteId: farm.siteId, name: `rig-bp-${n}`, enrollmentTokenHash: hashToken(token) } });
  const res = await fetch(`${gateway.url}/api/agent/enroll`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token, hostname: `bp-${n}`, agentVersion: "0.1.0-test" }),
  });
  const { rigId, rigToken } = (await res.json()) as { rigId: string; rigToken: string };
  const socket = connect(`${gateway.url}/agent`, { auth: { token: rigToken }, transports: ["websocket"], reconnection: false });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => (socket.once("connect", () => resolve()), socket.once("connect_error", reject)));
  const hello = await socket.emitWithAck("hello", {
    v: 1, agentVersion: "0.1.0-test", hostname: `bp-${n}`,
    gpus: GPUS.map((index) => ({ index, uuid: `GPU-bp-${n}-${index}`, pciBusId: `0000:0${index + 1}:00.0`, vendor: "NVIDIA", model: "NVIDIA GeForce RTX 3060", vramMb: 12288 })),
  });
  expect(hello).toMatchObject({ ok: true, rigId });
  return { rigId, socket };
};

it("stops acking while the database is stuck, keeps its queue bounded, and stores every seq once afterwards", async () => {
  const agents = await Promise.all([1, 2, 3].map(enrolledAgent));
  const stats = agents.map(() => ({ refused: 0, acks: [] as { seq: number; at: number }[] }));
  const running = agents.map((a, i) => runAgent(a.socket, stats[i]!));
  const acked = () => stats.reduce((n, s) => n + s.acks.length, 0);
  while (acked() < 30) await sleep(10);

  // Another session locks the table the gateway writes to: its INSERTs wait, as on an overloaded database.
  const locker = new pg.Client({ connectionString: tdb.url });
  await locker.connect();
  await locker.query(`BEGIN; LOCK TABLE "TelemetryMessage" IN EXCLUSIVE MODE`);
  const lockedAt = Date.now();
  let maxPending = 0;
  while (Date.now() - lockedAt < 3_000) {
    maxPending = Math.max(maxPending, await pendingRows());
    await sleep(50);
  }
  const spooledDuringStall = running.map((r) => r.spool.size);
  const refusedDuringStall = stats.reduce((n, s) => n + s.refused, 0);
  await locker.query("COMMIT");
  const unlockedAt = Date.now();
  await locker.end();

  // Nothing is acked while the write waits (a batch committed just before the lock may still be acked).
  const ackedInStall = stats.flatMap((s) => s.acks).filter((a) => a.at > lockedAt + 200 && a.at < unlockedAt);
  expect(ackedInStall).toEqual([]);
  // The gateway filled up to its bound, refused the rest (so agents paused), and held no more.
  expect(maxPending).toBeGreaterThan(0);
  expect(maxPending).toBeLessThanOrEqual(PENDING_BOUND);
  expect(refusedDuringStall).toBeGreaterThan(0);
  // What was not acked stayed with the agents.
  for (const size of spooledDuringStall) expect(size).toBeGreaterThan(10);

  await Promise.all(running.map((r) => r.done));
  expect(await pendingRows()).toBe(0);
  for (const { rigId } of agents) {
    const rows = await tdb.db.$queryRaw<{ seq: bigint; n: number }[]>`
      SELECT "seq", count(*)::int AS n FROM "TelemetrySample" WHERE "rigId" = ${rigId}::uuid GROUP BY "seq" ORDER BY "seq"`;
    // Every seq, each GPU's row once, though many were sent more than once.
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: MESSAGES }, (_, i) => i));
    expect(rows.every((r) => r.n === GPUS.length)).toBe(true);
  }
}, 60_000);
