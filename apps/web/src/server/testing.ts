import { Redis } from "ioredis";
import pino from "pino";
import { loadWebConfig } from "@rigshift/config";
import { createCommandDispatcher, createGpuLiveStore, createUser } from "@rigshift/db";
import { createTestDatabase, testRedisPrefix, type TestDatabase } from "@rigshift/db/testing";
import type { Role } from "@rigshift/protocol";
import { createApi } from "./api";
import { type ApiDeps, createCommandQueue } from "./deps";
import type { RouteContext } from "./http";

/**
 * Integration-test harness: the real handlers over a fresh migrated database and a Redis
 * prefix of the test file's own, called with real `Request` objects — no server, no mocks.
 */

export type TestApi = Awaited<ReturnType<typeof createTestApi>>;

export const createTestApi = async (overrides: Partial<ApiDeps> = {}) => {
  const env = loadWebConfig();
  const tdb: TestDatabase = await createTestDatabase();
  const prefix = testRedisPrefix();
  const redis = new Redis(env.REDIS_URL);
  const deps: ApiDeps = {
    db: tdb.db,
    redis,
    liveStore: createGpuLiveStore({ redis, prefix }),
    commandQueue: createCommandQueue({ redisUrl: env.REDIS_URL, prefix }),
    dispatchCommand: createCommandDispatcher({ redis, prefix }),
    config: { SESSION_TTL_HOURS: 24, COOKIE_SECURE: false },
    log: pino({ level: "silent" }),
    now: () => new Date(),
    ...overrides,
  };
  const api = createApi(deps);

  const close = async () => {
    await deps.commandQueue.obliterate({ force: true }).catch(() => undefined);
    await deps.commandQueue.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await tdb.drop();
  };

  /** A user of the role, signed in: returns the cookie header the browser would send. */
  const signIn = async (role: Role) => {
    const email = `${role.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}@farm.test`;
    const password = `pw-${role}-correct horse`;
    const user = await createUser(deps.db, { email, name: `${role} user`, password, role });
    const res = await api.login(request("POST", "/api/v1/session", { body: { email, password } }), noParams);
    if (res.status !== 200) throw new Error(`sign-in as ${role} failed: ${res.status}`);
    const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
    return { user, email, password, cookie };
  };

  return { api, deps, db: tdb.db, prefix, close, signIn };
};

export const noParams: RouteContext = { params: Promise.resolve({}) };
export const withId = (id: string): RouteContext => ({ params: Promise.resolve({ id }) });

export const request = (
  method: string,
  path: string,
  { body, rawBody, cookie, bearer }: { body?: unknown; rawBody?: string; cookie?: string; bearer?: string } = {},
) => {
  const headers = new Headers();
  if (body !== undefined || rawBody !== undefined) headers.set("content-type", "application/json");
  if (cookie) headers.set("cookie", cookie);
  if (bearer) headers.set("authorization", `Bearer ${bearer}`);
  return new Request(`http://web.test${path}`, { method, headers, body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)) });
};

/** A small farm: two sites, a rig each, three GPUs. */
export const insertFarm = async (db: ApiDeps["db"]) => {
  const north = await db.site.create({ data: { name: "North", timezone: "Europe/Oslo", currency: "USD", powerCapKw: "50" } });
  const south = await db.site.create({ data: { name: "South", timezone: "UTC", currency: "USD", powerCapKw: "20" } });
  const rigN = await db.rig.create({ data: { siteId: north.id, name: "n-rig-01", hostname: "n01", tokenHash: "test-rig-n" } });
  const rigS = await db.rig.create({ data: { siteId: south.id, name: "s-rig-01", hostname: "s01" } });
  const gpu = (rigId: string, index: number, model: string, vramMb: number) =>
    db.gpu.create({ data: { rigId, index, vendor: "NVIDIA", model, vramMb, currentMode: "HASHING", desiredMode: "HASHING" } });
  const gpuN0 = await gpu(rigN.id, 0, "RTX 3090", 24_576);
  const gpuN1 = await gpu(rigN.id, 1, "RTX 3060", 12_288);
  const gpuS0 = await gpu(rigS.id, 0, "RTX 4090", 24_576);
  return { north, south, rigN, rigS, gpuN0, gpuN1, gpuS0 };
};

export const readJson = async <T = Record<string, unknown>>(res: Response) => (await res.json()) as T;
