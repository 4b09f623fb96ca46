import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chown, mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTelemetryWriter, type TelemetryMessageRow, type TelemetryWriter } from "@rigshift/db";
import { applyMigrations } from "@rigshift/db/migrate";
import { createLog } from "./log";
import { createBatcher } from "./telemetry-batcher";

/**
 * The database restarts while the gateway writes: batches fail, agents resend what was not acked,
 * and every acked message is stored exactly once. Runs its own PostgreSQL on a free port (never
 * the shared one), since the test kills it.
 */

const run = promisify(execFile);
const migrationsDir = path.resolve(import.meta.dirname, "../../../prisma/migrations");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pgBin = async (name: string) => {
  const versions = (await readdir("/usr/lib/postgresql")).sort((a, b) => Number(b) - Number(a));
  return path.join("/usr/lib/postgresql", versions[0]!, "bin", name);
};

/** PostgreSQL refuses to run as root: run its tools as `postgres` there. */
const asPostgres = async (name: string, args: string[]) => {
  const bin = await pgBin(name);
  return process.getuid?.() === 0 ? run("runuser", ["-u", "postgres", "--", bin, ...args]) : run(bin, args);
};

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

let dir: string;
let port: number;
let databaseUrl: string;
let writer: TelemetryWriter;

const pgStart = () =>
  asPostgres("pg_ctl", ["start", "-w", "-D", path.join(dir, "data"), "-l", path.join(dir, "log"), "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`]);
const pgKill = () => asPostgres("pg_ctl", ["stop", "-m", "immediate", "-w", "-D", path.join(dir, "data")]);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "rigshift-pg-"));
  if (process.getuid?.() === 0) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  port = await freePort();
  await asPostgres("initdb", ["-D", path.join(dir, "data"), "-U", "postgres", "-A", "trust", "--no-sync"]);
  await pgStart();
  const admin = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
  await admin.connect();
  await admin.query("CREATE DATABASE rigshift");
  await admin.end();
  databaseUrl = `postgresql://postgres@127.0.0.1:${port}/rigshift`;
  await applyMigrations(databaseUrl, migrationsDir);
  writer = createTelemetryWriter({ databaseUrl, onPoolError: () => {} });
});

afterAll(async () => {
  await writer?.close();
  await pgKill().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe("ingest across a database restart", () => {
  it("loses nothing acked and stores each message once", async () => {
    const batcher = createBatcher<TelemetryMessageRow>({
      maxRows: 200, maxMs: 20, rowsOf: (m) => m.gpus.length, write: async (messages) => void (await writer.write(messages)), log: createLog("silent"),
    });
    const rigs = Array.from({ length: 4 }, () => ({ rigId: randomUUID(), gpuIds: [randomUUID(), randomUUID()] }));
    const MESSAGES = 150;
    const acked = new Set<string>();
    let failures = 0;

    const message = (rig: (typeof rigs)[number], seq: number): TelemetryMessageRow => ({
      rigId: rig.rigId, seq, at: new Date(Date.UTC(2026, 10, 18, 10, 0, 0, seq * 10)), gpuIds: rig.gpuIds,
      gpus: rig.gpuIds.map((_, index) => ({
        index, mode: "HASHING", coin: "ETC", workloadId: null, hashrateHs: 50e6 + seq, tempC: 60, powerW: 120, fanPct: 40, utilPct: 100, vramUsedMb: 4096,
      })),
    });

    // An agent: one message in flight, resent (identically) until acked, like the agent's spool.
    // Now and then it also resends an already acked message, which must not be stored twice.
    const agent = async (rig: (typeof rigs)[number]) => {
      for (let seq = 0; seq < MESSAGES; seq++) {
        for (;;) {
          try {
            await batcher.add(message(rig, seq));
            acked.add(`${rig.rigId}:${seq}`);
            if (seq % 10 === 9) await batcher.add(message(rig, seq - 5)).catch(() => {});
            break;
          } catch {
            failures++;
            await sleep(50);
          }
        }
        await sleep(5);
      }
    };

    const agents = Promise.all(rigs.map(agent));
    // Kill the server mid-run (no shutdown: in-flight batches die), then bring it back.
    while (acked.size < 100) await sleep(10);
    await pgKill();
    const ackedBeforeKill = new Set(acked);
    await sleep(700);
    await pgStart();
    await agents;
    await batcher.close();

    expect(failures).toBeGreaterThan(0);
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    const { rows } = await check.query<{ rigId: string; seq: string; n: string }>(
      `SELECT "rigId", "seq", count(*) AS n FROM "TelemetrySample" GROUP BY "rigId", "seq"`,
    );
    await check.end();
    const stored = new Map(rows.map((r) => [`${r.rigId}:${r.seq}`, Number(r.n)]));
    for (const key of ackedBeforeKill) expect(stored.get(key), key).toBe(2);
    expect(acked.size).toBe(rigs.length * MESSAGES);
    expect(stored.size).toBe(rigs.length * MESSAGES);
    expect([...stored.values()].every((n) => n === 2)).toBe(true);
  }, 60_000);
});
