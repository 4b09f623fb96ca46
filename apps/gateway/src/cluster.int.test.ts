import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken, newToken } from "@rigshift/db";
import { createTestDatabase, insertTestFarm, testRedisPrefix, type TestDatabase, type TestFarm } from "@rigshift/db/testing";
import type { HelloAck } from "@rigshift/protocol";
import { freePort, getOnNewConnection, sleep } from "../../../tooling/stack/net";

/**
 * GATEWAY_WORKERS=2 as an operator runs it: the real entry point in its own process on its own
 * port. Agents spread over both workers, a scrape of /metrics on either counts both, a worker
 * that dies is replaced, and SIGTERM stops the lot.
 */

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const RIGS = 6;

let tdb: TestDatabase;
let farm: TestFarm;
let gateway: ChildProcess;
let url: string;
const output: string[] = [];
const sockets: Socket[] = [];
const rigTokens: { rigId: string; token: string }[] = [];

const healthPid = async (): Promise<number | null> =>
  getOnNewConnection(`${url}/healthz`).then(({ status, text }) => (status === 200 ? (JSON.parse(text) as { pid: number }).pid : null), () => null);

/** The pids answering /healthz: the cluster hands connections round, so asking often reaches each. */
const workerPids = async (want: number, timeoutMs = 30_000) => {
  const seen = new Set<number>();
  const until = Date.now() + timeoutMs;
  while (seen.size < want) {
    if (Date.now() > until) throw new Error(`${seen.size} of ${want} workers answered:\n${output.slice(-20).join("")}`);
    const pid = await healthPid();
    if (pid === null) await sleep(100);
    else seen.add(pid);
  }
  return seen;
};

const metric = async (name: string) => {
  const families = parsePrometheusTextFormat((await getOnNewConnection(`${url}/metrics`)).text);
  const family = families.find((f) => f.name === name);
  if (!family) throw new Error(`no ${name} in /metrics`);
  return family.metrics.reduce((sum, m) => sum + Number("value" in m ? m.value : 0), 0);
};

const agentOf = async ({ rigId, token }: { rigId: string; token: string }, i: number) => {
  const socket = connect(`${url}/agent`, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  const ack = (await socket.emitWithAck("hello", {
    v: 1, agentVersion: "0.1.0-test", hostname: `cluster-${i}.test`,
    gpus: [{ index: 0, uuid: `GPU-cluster-${rigId}`, pciBusId: "0000:01:00.0", vendor: "NVIDIA", model: "NVIDIA GeForce RTX 3090", vramMb: 24576 }],
  })) as HelloAck;
  expect(ack).toMatchObject({ ok: true, rigId });
  return socket;
};

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
  for (let i = 0; i < RIGS; i++) {
    const token = newToken("rig");
    const rig = await tdb.db.rig.create({ data: { siteId: farm.siteId, name: `cluster-${i}`, tokenHash: hashToken(token) } });
    rigTokens.push({ rigId: rig.id, token });
  }
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  gateway = spawn(process.execPath, ["--import", "tsx", "apps/gateway/src/main.ts"], {
    cwd: repoRoot,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env, DATABASE_URL: tdb.url, REDIS_PREFIX: testRedisPrefix(), GATEWAY_PORT: String(port), GATEWAY_HOST: "127.0.0.1",
      GATEWAY_WORKERS: "2", TELEMETRY_BATCH_MS: "20", LOG_LEVEL: "info",
    },
  });
  gateway.stdout!.on("data", (d: Buffer) => output.push(d.toString()));
  gateway.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  // The whole process group: the primary and whatever workers it has.
  if (gateway.pid !== undefined) {
    try {
      process.kill(-gateway.pid, "SIGKILL");
    } catch {
      // Already gone (the last test stops it).
    }
  }
  await tdb.drop();
});

describe("GATEWAY_WORKERS=2", () => {
  let pids: Set<number>;

  it("runs two workers on one port, and /metrics on either counts the agents and samples of both", async () => {
    pids = await workerPids(2, 60_000);
    expect(pids.has(gateway.pid!)).toBe(false);
    // Each worker runs with the young generation GATEWAY_WORKER_SEMI_SPACE_MB gives it (default 64 MB).
    for (const pid of pids) expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")).toContain("--max-semi-space-size=64");

    const agents = await Promise.all(rigTokens.map(agentOf));
    const at = new Date().toISOString();
    for (const agent of agents) {
      const ack = await agent.emitWithAck("telemetry", {
        v: 1, seq: 1, at,
        gpus: [{ index: 0, mode: "HASHING", coin: "ETC", workloadId: null, hashrateHs: 98e6, tempC: 60, powerW: 280, fanPct: 60, utilPct: 100, vramUsedMb: 5000 }],
      });
      expect(ack).toEqual({ ok: true, seq: 1 });
    }
    expect(await tdb.db.telemetrySample.count({ where: { rigId: { in: rigTokens.map((r) => r.rigId) } } })).toBe(RIGS);

    // Whichever worker answers the scrape, the figures are the whole gateway's.
    for (let scrape = 0; scrape < 4; scrape++) {
      expect(await metric("rigshift_gateway_connected_agents")).toBe(RIGS);
      expect(await metric("rigshift_gateway_telemetry_rows_total")).toBe(RIGS);
    }
  });

  it("replaces a worker that dies, and its rigs can come back", async () => {
    const [victim] = [...pids];
    process.kill(victim!, "SIGKILL");
    const dropped = sockets.filter((s) => !s.connected);
    // Sockets on the dead worker see their connection close.
    await expect.poll(() => sockets.filter((s) => !s.connected).length, { timeout: 10_000 }).toBeGreaterThan(dropped.length);

    const now = await workerPids(2, 20_000);
    expect(now.has(victim!)).toBe(false);
    const lost = rigTokens.filter((_, i) => !sockets[i]!.connected);
    await Promise.all(lost.map((r) => agentOf(r, rigTokens.indexOf(r))));
    await expect.poll(() => metric("rigshift_gateway_connected_agents"), { timeout: 10_000 }).toBe(RIGS);
    expect(output.join("")).toMatch(/gateway worker died; starting another/);
  });

  it("stops every worker on SIGTERM and exits cleanly", async () => {
    const workers = await workerPids(2);
    const exited = new Promise<number | null>((resolve) => gateway.once("exit", (code) => resolve(code)));
    process.kill(gateway.pid!, "SIGTERM");
    expect(await exited).toBe(0);
    for (const pid of workers) {
      expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    }
  });
});
