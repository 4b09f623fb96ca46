import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnv, ZSharedConfig } from "@rigshift/config";
import type { GpuLive } from "@rigshift/protocol";
import { testRedisPrefix } from "../testing";
import { createGpuLiveStore } from "./gpu-live-store";

const redis = new Redis(parseEnv(ZSharedConfig, process.env).REDIS_URL, { maxRetriesPerRequest: null });
const prefix = testRedisPrefix();
afterAll(async () => {
  await redis.del(`${prefix}:gpu-live`);
  redis.disconnect();
});

const rigId = randomUUID();
const state = (gpuId: string, tempC: number, at: string): GpuLive => ({
  gpuId, rigId, mode: "HASHING", hashrateHs: 98e6, tempC, powerW: 280, fanPct: 60, utilPct: 100, vramUsedMb: 5000, coin: "ETC", at,
});

describe("GPU live store", () => {
  it("keeps the last state of a GPU listed more than once in one write", async () => {
    const store = createGpuLiveStore({ redis, prefix });
    const [a, b] = [randomUUID(), randomUUID()];
    await store.setMany([state(a, 60, "2026-12-03T10:00:00Z"), state(b, 55, "2026-12-03T10:00:00Z"), state(a, 71, "2026-12-03T10:00:10Z")]);
    const live = await store.getMany([a, b, randomUUID()]);
    expect(live.size).toBe(2);
    expect(live.get(a)).toMatchObject({ tempC: 71, at: "2026-12-03T10:00:10Z" });
    expect(live.get(b)).toMatchObject({ tempC: 55 });
  });

  it("skips a stored value that is not a GPU state instead of passing it on", async () => {
    const store = createGpuLiveStore({ redis, prefix });
    const [good, bad] = [randomUUID(), randomUUID()];
    await store.setMany([state(good, 60, "2026-12-03T10:00:00Z")]);
    await redis.hset(`${prefix}:gpu-live`, bad, JSON.stringify({ gpuId: bad, tempC: "hot" }));
    const live = await store.getMany([good, bad]);
    expect([...live.keys()]).toEqual([good]);
  });
});
