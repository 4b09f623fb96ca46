import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import pg from "pg";
import { loadDatabaseUrl } from "@rigshift/config";
import { hashToken, newToken, quoteIdent, splitDatabaseUrl } from "@rigshift/db";
import { GATEWAY_PROCESS_ENV } from "../../../tooling/stack/gateway-env";
import { freePort, getOnNewConnection } from "../../../tooling/stack/net";
import type { BenchContext } from "./harness";
import { sleep } from "./harness";

/**
 * What the fleet benchmarks (ingest, agents, command-latency) share: a database and Redis prefix
 * of their own, rigs enrolled straight in that database, real gateway / scheduler processes, and
 * the load processes (load-agents.ts) that play the rigs.
 */

export const REPO_ROOT = resolve(import.meta.dirname, "../../..");
const tsxNode = ["--import", "tsx"];

/** A fresh database, migrated from prisma/migrations, dropped on the way out. */
export const createBenchDatabase = async (ctx: BenchContext, bench: string): Promise<string> => {
  const name = `rigshift_bench_${bench.replace(/[^a-z]/g, "")}_${randomBytes(4).toString("hex")}`;
  const url = new URL(loadDatabaseUrl());
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const { adminUrl } = splitDatabaseUrl(databaseUrl);
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${quoteIdent(name)}`);
  ctx.onCleanup(() => admin(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
  // The wasm schema engine needs its flag (../shared/STACK.md): migrate in a child that has it.
  const migrated = spawnSync(process.execPath, ["--experimental-wasm-modules", ...tsxNode, "scripts/db-migrate.ts"], {
    cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: "utf8",
  });
  if (migrated.status !== 0) throw new Error(`migrating ${name} failed:\n${migrated.stderr}`);
  return databaseUrl;
};

export const benchRedisPrefix = (bench: string) => `rsbench_${bench.replace(/[^a-z]/g, "")}_${randomBytes(4).toString("hex")}`;

/** Delete every key under the prefix (BullMQ queues, live state, adapter keys). */
export const dropRedisPrefix = async (redisUrl: string, prefix: string) => {
  const { Redis } = await import("ioredis");
  const redis = new Redis(redisUrl);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
};

export type BenchRig = { rigId: string; token: string };

/** `count` enrolled rigs on one site (rig tokens hashed as the gateway checks them), in bulk. */
export const insertBenchRigs = async (databaseUrl: string, count: number): Promise<BenchRig[]> => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const site = await client.query<{ id: string }>(
      `INSERT INTO "Site" (id, name, timezone, currency, "powerCapKw") VALUES (gen_random_uuid(), 'Bench site', 'UTC', 'USD', 100000) RETURNING id`,
    );
    const siteId = site.rows[0]!.id;
    const rigs: BenchRig[] = [];
    const CHUNK = 2000;
    for (let start = 0; start < count; start += CHUNK) {
      const tokens = Array.from({ length: Math.min(CHUNK, count - start) }, () => newToken("rig"));
      const names = tokens.map((_, i) => `bench-${String(start + i).padStart(5, "0")}`);
      const res = await client.query<{ id: string; name: string }>(
        `INSERT INTO "Rig" (id, "siteId", name, "tokenHash", "enrolledAt")
         SELECT gen_random_uuid(), $1, n, h, now() FROM unnest($2::text[], $3::text[]) AS t(n, h) RETURNING id, name`,
        [siteId, names, tokens.map(hashToken)],
      );
      const idByName = new Map(res.rows.map((r) => [r.name, r.id]));
      names.forEach((n, i) => rigs.push({ rigId: idByName.get(n)!, token: tokens[i]! }));
    }
    return rigs;
  } finally {
    await client.end();
  }
};

export const countRows = async (databaseUrl: string, sql: string): Promise<number> => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const res = await client.query<{ n: string }>(sql);
    return Number(res.rows[0]!.n);
  } finally {
    await client.end();
  }
};

export type ServiceEnv = { databaseUrl: string; redisUrl: string; prefix: string };

const serviceEnv = ({ databaseUrl, redisUrl, prefix }: ServiceEnv, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, LOG_LEVEL: "warn",
  NODE_OPTIONS: "", NODE_ENV: "production", ...extra,
});

/**
 * Node flags for the measured gateway: BENCH_PROFILE_DIR=/tmp/x writes a CPU profile there when the
 * gateway stops (open it in Chrome DevTools), to find where its time goes.
 */
const gatewayNodeFlags = () => {
  const dir = process.env.BENCH_PROFILE_DIR;
  const heap = process.env.BENCH_HEAP_DIR;
  const extra = (process.env.BENCH_GATEWAY_NODE_FLAGS ?? "").split(" ").filter(Boolean);
  return [...(dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : []), ...(heap ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${heap}`] : []), ...extra];
};

/**
 * A real gateway (apps/gateway/src/main.ts) with `workers` processes on one port (GATEWAY_WORKERS),
 * returned once every worker answers /healthz.
 */
export const startGatewayProcess = async (ctx: BenchContext, env: ServiceEnv, { workers = 1 }: { workers?: number } = {}) => {
  const port = await freePort();
  const child = ctx.spawn({
    name: "gateway", command: process.execPath, args: [...gatewayNodeFlags(), ...tsxNode, "apps/gateway/src/main.ts"], cwd: REPO_ROOT,
    env: serviceEnv(env, { ...GATEWAY_PROCESS_ENV, GATEWAY_PORT: String(port), GATEWAY_HOST: "127.0.0.1", GATEWAY_WORKERS: String(workers) }),
  });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  // The cluster hands connections to its workers in turn: asking often enough reaches each one.
  const answered = new Set<number>();
  while (answered.size < workers) {
    const pid = await getOnNewConnection(`${url}/healthz`).then(({ status, text }) => (status === 200 ? (JSON.parse(text) as { pid: number }).pid : null), () => null);
    if (pid !== null) answered.add(pid);
    else if (Date.now() > until) throw new Error(`the gateway did not answer in 60 s:\n${child.lastLines().join("\n")}`);
    else await Promise.race([sleep(200), child.died]);
    if (Date.now() > until) throw new Error(`${answered.size} of ${workers} gateway workers answered in 60 s:\n${child.lastLines().join("\n")}`);
  }
  return { url, pid: child.pid, child };
};

/** A real scheduler (apps/scheduler/src/main.ts); BENCH_SCHEDULER_NODE_FLAGS adds Node flags to it. */
export const startSchedulerProcess = (ctx: BenchContext, env: ServiceEnv) => {
  const flags = (process.env.BENCH_SCHEDULER_NODE_FLAGS ?? "").split(" ").filter(Boolean);
  return ctx.spawn({ name: "scheduler", command: process.execPath, args: [...flags, ...tsxNode, "apps/scheduler/src/main.ts"], cwd: REPO_ROOT, env: serviceEnv(env) });
};

/** Counters or gauges from one scrape of the gateway's /metrics (each summed over its labels). */
export const readMetrics = async <N extends string>(gatewayUrl: string, names: readonly N[]): Promise<Record<N, number>> => {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const sums = Object.fromEntries(names.map((n) => [n, 0])) as Record<N, number>;
  for (const line of text.split("\n")) {
    for (const name of names) {
      if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sums[name] += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return sums;
};

/** One counter or gauge from the gateway's /metrics (summed over its labels). */
export const readMetric = async <N extends string>(gatewayUrl: string, name: N): Promise<number> => (await readMetrics(gatewayUrl, [name]))[name];

/** The q-th percentile (0–100) by nearest rank; NaN for no values. */
export const percentile = (values: readonly number[], q: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))]!;
};
