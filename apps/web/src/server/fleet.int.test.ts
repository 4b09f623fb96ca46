import { Queue } from "bullmq";
import { Redis } from "ioredis";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertTelemetrySamples, listDeliverableCommands } from "@rigshift/db";
import { API_COMMAND_FIRST_CHECK_MS, type CommandDispatch, type CommandView, type GpuSamplePoint, type GpuView, QUEUES, type RigView, type SiteView } from "@rigshift/protocol";
import { createApi } from "./api";
import { createTestApi, insertFarm, noParams, readJson, request, type TestApi, withId } from "./testing";

type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

let t: TestApi;
let farm: Awaited<ReturnType<typeof insertFarm>>;
let viewer: string;
let operator: { cookie: string; user: { id: string } };

beforeAll(async () => {
  t = await createTestApi();
  farm = await insertFarm(t.db);
  viewer = (await t.signIn("VIEWER")).cookie;
  operator = await t.signIn("OPERATOR");
});
afterAll(async () => t?.close());

describe("health", () => {
  it("says ok when PostgreSQL and Redis answer", async () => {
    const res = await t.api.health(request("GET", "/api/v1/health"), noParams);
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({ status: "ok", db: "ok", redis: "ok" });
  });

  it("says degraded with 503 when Redis is unreachable", async () => {
    // Nothing listens on port 1: the probe fails fast instead of retrying.
    const deadRedis = new Redis("redis://127.0.0.1:1", { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const api = createApi({ ...t.deps, redis: deadRedis });
    const res = await api.health(request("GET", "/api/v1/health"), noParams);
    expect(res.status).toBe(503);
    expect(await readJson(res)).toEqual({ status: "degraded", db: "ok", redis: "down" });
    deadRedis.disconnect();
  });
});

describe("fleet reads", () => {
  it("lists sites with their rig and GPU counts", async () => {
    const res = await t.api.listSites(request("GET", "/api/v1/sites", { cookie: viewer }), noParams);
    expect(res.status).toBe(200);
    const { sites } = await readJson<{ sites: SiteView[] }>(res);
    expect(sites.map((s) => [s.name, s.rigCount, s.gpuCount])).toEqual([["North", 1, 2], ["South", 1, 1]]);
  });

  it("filters rigs by site", async () => {
    const res = await t.api.listRigs(request("GET", `/api/v1/rigs?siteId=${farm.south.id}`, { cookie: viewer }), noParams);
    const { rigs } = await readJson<{ rigs: RigView[] }>(res);
    expect(rigs.map((r) => r.name)).toEqual(["s-rig-01"]);
  });

  it("lists GPUs with the newest live state from Redis", async () => {
    const at = new Date().toISOString();
    await t.deps.liveStore.setMany([
      { gpuId: farm.gpuN0.id, rigId: farm.rigN.id, mode: "AI", hashrateHs: null, tempC: 71, powerW: 310, fanPct: 80, utilPct: 99, vramUsedMb: 20_000, coin: null, at },
      { gpuId: farm.gpuN1.id, rigId: farm.rigN.id, mode: "HASHING", hashrateHs: 61.5e6, tempC: 58, powerW: 120, fanPct: 50, utilPct: 100, vramUsedMb: 4000, coin: "ETC", at },
    ]);
    const res = await t.api.listGpus(request("GET", `/api/v1/gpus?rigId=${farm.rigN.id}`, { cookie: viewer }), noParams);
    const { gpus } = await readJson<{ gpus: GpuView[] }>(res);
    expect(gpus.map((g) => [g.index, g.mode, g.hashrateHs, g.powerW, g.coin])).toEqual([
      [0, "AI", null, 310, null],
      [1, "HASHING", 61.5e6, 120, "ETC"],
    ]);
    const bySite = await readJson<{ gpus: GpuView[] }>(await t.api.listGpus(request("GET", `/api/v1/gpus?siteId=${farm.south.id}`, { cookie: viewer }), noParams));
    expect(bySite.gpus.map((g) => g.model)).toEqual(["RTX 4090"]);
  });

  it("returns one GPU, and 404 for an unknown one", async () => {
    const ok = await t.api.getGpu(request("GET", `/api/v1/gpus/${farm.gpuS0.id}`, { cookie: viewer }), withId(farm.gpuS0.id));
    expect(ok.status).toBe(200);
    expect(await readJson(ok)).toMatchObject({ id: farm.gpuS0.id, model: "RTX 4090", vramMb: 24_576, siteId: farm.south.id });
    const unknown = "00000000-0000-4000-8000-000000000000";
    const res = await t.api.getGpu(request("GET", `/api/v1/gpus/${unknown}`, { cookie: viewer }), withId(unknown));
    expect(res.status).toBe(404);
    expect((await readJson<ErrorBody>(res)).error.code).toBe("GPU_NOT_FOUND");
  });

  it("answers a malformed id or query with 400 naming it", async () => {
    const badId = await t.api.getGpu(request("GET", "/api/v1/gpus/not-a-uuid", { cookie: viewer }), withId("not-a-uuid"));
    expect(badId.status).toBe(400);
    expect((await readJson<ErrorBody>(badId)).error.message).toMatch(/^id: /);
    const badQuery = await t.api.listGpus(request("GET", "/api/v1/gpus?siteId=north", { cookie: viewer }), noParams);
    expect(badQuery.status).toBe(400);
    expect((await readJson<ErrorBody>(badQuery)).error.message).toMatch(/^siteId: /);
    const badRig = await t.api.listRigs(request("GET", "/api/v1/rigs?siteId=1", { cookie: viewer }), noParams);
    expect((await readJson<ErrorBody>(badRig)).error.message).toMatch(/^siteId: /);
  });

  it("charts a GPU's samples between from and to", async () => {
    const base = Date.parse("2026-03-01T10:00:00Z");
    await insertTelemetrySamples(t.db, [0, 1, 2, 3].map((i) => ({
      rigId: farm.rigN.id, seq: i, gpuIndex: 1, gpuId: farm.gpuN1.id, at: new Date(base + i * 60_000),
      mode: "HASHING" as const, coin: "ETC", hashrateHs: 60e6 + i * 1e6, tempC: 60 + i, powerW: 120,
    })));
    const q = "from=2026-03-01T10:00:00Z&to=2026-03-01T10:02:00Z";
    const res = await t.api.listGpuSamples(request("GET", `/api/v1/gpus/${farm.gpuN1.id}/samples?${q}`, { cookie: viewer }), withId(farm.gpuN1.id));
    expect(res.status).toBe(200);
    const body = await readJson<{ gpuId: string; from: string; to: string; samples: GpuSamplePoint[] }>(res);
    expect(body.from).toBe("2026-03-01T10:00:00.000Z");
    // [from, to): the samples at 10:00 and 10:01, not the one at 10:02.
    expect(body.samples.map((s) => [s.at, s.hashrateHs, s.tempC])).toEqual([
      ["2026-03-01T10:00:00.000Z", 60e6, 60],
      ["2026-03-01T10:01:00.000Z", 61e6, 61],
    ]);
  });

  it("rejects a bad samples window, naming the field", async () => {
    const id = farm.gpuN1.id;
    const bad = await t.api.listGpuSamples(request("GET", `/api/v1/gpus/${id}/samples?from=yesterday`, { cookie: viewer }), withId(id));
    expect(bad.status).toBe(400);
    expect((await readJson<ErrorBody>(bad)).error.message).toMatch(/^from: /);
    const reversed = await t.api.listGpuSamples(
      request("GET", `/api/v1/gpus/${id}/samples?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z`, { cookie: viewer }),
      withId(id),
    );
    expect(reversed.status).toBe(400);
    expect((await readJson<ErrorBody>(reversed)).error.message).toMatch(/^to: from must be before to/);
  });
});

describe("commands", () => {
  it("creates a switch: 202, QUEUED with its GPUs, a delivery job under the command's id, an audit row", async () => {
    const gpuIds = [farm.gpuN0.id, farm.gpuS0.id];
    const res = await t.api.createCommand(
      request("POST", "/api/v1/commands", { cookie: operator.cookie, body: { type: "switch", gpuIds, mode: "AI" } }),
      noParams,
    );
    expect(res.status).toBe(202);
    const { id } = await readJson<{ id: string }>(res);

    const view = await t.api.getCommand(request("GET", `/api/v1/commands/${id}`, { cookie: viewer }), withId(id));
    expect(view.status).toBe(200);
    const command = await readJson<CommandView>(view);
    expect(command).toMatchObject({ id, type: "switch", mode: "AI", status: "QUEUED", finishedAt: null });
    expect(command.gpus.map((g) => g.gpuId).sort()).toEqual([...gpuIds].sort());
    expect(command.gpus.every((g) => g.status === "QUEUED")).toBe(true);
    expect(Date.parse(command.expiresAt) - Date.parse(command.createdAt)).toBe(600_000);

    const job = await t.deps.commandQueue.getJob(id);
    expect(job?.name).toBe("deliver");
    expect(job?.data).toEqual({ commandId: id });
    // The API sent the first dispatch itself: the scheduler's job first looks a moment later.
    expect(await job?.getState()).toBe("delayed");
    expect(job?.opts.delay).toBe(API_COMMAND_FIRST_CHECK_MS);

    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "command.created", targetId: id } });
    expect(audit).toMatchObject({ actorType: "USER", actorId: operator.user.id });
    const desired = await t.db.gpu.findMany({ where: { id: { in: gpuIds } }, select: { desiredMode: true } });
    expect(desired.every((g) => g.desiredMode === "AI")).toBe(true);
  });

  it("tells the gateways at once which rigs a new switch waits for, without waiting for the scheduler", async () => {
    const listener = t.deps.redis.duplicate();
    try {
      const heard: unknown[] = [];
      listener.on("message", (_channel: string, text: string) => heard.push(JSON.parse(text)));
      await listener.subscribe(`${t.prefix}:commands:dispatch`);
      const res = await t.api.createCommand(
        request("POST", "/api/v1/commands", { cookie: operator.cookie, body: { type: "switch", gpuIds: [farm.gpuN1.id, farm.gpuS0.id], mode: "IDLE" } }),
        noParams,
      );
      expect(res.status).toBe(202);
      const { id } = await readJson<{ id: string }>(res);
      await expect.poll(() => heard).toHaveLength(1);
      const [dispatch] = heard as CommandDispatch[];
      expect(dispatch!.commandId).toBe(id);
      expect([...dispatch!.rigIds].sort()).toEqual([farm.rigN.id, farm.rigS.id].sort());
      // Each rig's message rides along, as the gateway would read it back, so the gateway sends it without a query.
      for (const rig of [farm.rigN, farm.rigS]) {
        expect(dispatch!.commands?.find((c) => c.rigId === rig.id)?.command).toEqual((await listDeliverableCommands(t.db, rig.id, new Date(), id))[0]);
      }
    } finally {
      listener.disconnect();
    }
  });

  it("says 503 with what happened when the delivery queue is unreachable: the command is saved and was sent once", async () => {
    // Nothing listens on port 1: the queue fails at once instead of retrying.
    const deadQueue = new Queue(QUEUES.commands, { connection: { host: "127.0.0.1", port: 1, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null }, prefix: t.prefix });
    deadQueue.on("error", () => {});
    const listener = t.deps.redis.duplicate();
    try {
      const heard: CommandDispatch[] = [];
      listener.on("message", (_channel: string, text: string) => heard.push(JSON.parse(text) as CommandDispatch));
      await listener.subscribe(`${t.prefix}:commands:dispatch`);
      const api = createApi({ ...t.deps, commandQueue: deadQueue });
      const res = await api.createCommand(request("POST", "/api/v1/commands", { cookie: operator.cookie, body: { type: "switch", gpuIds: [farm.gpuN1.id], mode: "IDLE" } }), noParams);
      expect(res.status).toBe(503);
      const { error } = await readJson<ErrorBody>(res);
      const { commandId, expiresAt } = error.details as { commandId: string; expiresAt: string };
      expect(error.message).toBe(`command saved and sent to its rigs once, but the delivery queue is unreachable: a rig that missed that send gets it from the scheduler's sweep (within a minute) or its next hello, and it expires at ${expiresAt}`);
      expect(await t.db.command.findUniqueOrThrow({ where: { id: commandId }, select: { status: true, expiresAt: true } })).toEqual({ status: "QUEUED", expiresAt: new Date(expiresAt) });
      await expect.poll(() => heard.map((d) => d.commandId)).toContain(commandId);
    } finally {
      listener.disconnect();
      await deadQueue.close().catch(() => {});
    }
  });

  it("answers unknown GPUs with 404 and queues nothing", async () => {
    const unknown = "00000000-0000-4000-8000-00000000abcd";
    const before = await t.deps.commandQueue.count();
    const res = await t.api.createCommand(
      request("POST", "/api/v1/commands", { cookie: operator.cookie, body: { type: "switch", gpuIds: [farm.gpuN1.id, unknown], mode: "IDLE" } }),
      noParams,
    );
    expect(res.status).toBe(404);
    const body = await readJson<ErrorBody>(res);
    expect(body.error.code).toBe("GPU_NOT_FOUND");
    expect(body.error.message).toContain(unknown);
    expect(await t.deps.commandQueue.count()).toBe(before);
  });

  it("rejects bad bodies with 400 naming the field", async () => {
    const post = async (body: unknown) => {
      const res = await t.api.createCommand(request("POST", "/api/v1/commands", { cookie: operator.cookie, body }), noParams);
      expect(res.status).toBe(400);
      return (await readJson<ErrorBody>(res)).error.message;
    };
    expect(await post({ type: "switch", gpuIds: [farm.gpuN1.id], mode: "MINING" })).toMatch(/^mode: /);
    expect(await post({ type: "switch", gpuIds: [], mode: "AI" })).toMatch(/^gpuIds: /);
    expect(await post({ type: "switch", gpuIds: ["gpu-1"], mode: "AI" })).toMatch(/^gpuIds\.0: /);
    expect(await post({ type: "reboot", gpuIds: [farm.gpuN1.id], mode: "AI" })).toMatch(/^type: /);
    expect(await post({ type: "switch", gpuIds: [farm.gpuN1.id], mode: "AI", ttlS: 1 })).toMatch(/^ttlS: /);
    const malformed = await t.api.createCommand(request("POST", "/api/v1/commands", { cookie: operator.cookie, rawBody: "{not json" }), noParams);
    expect(malformed.status).toBe(400);
  });

  it("answers an unknown command with 404 and a malformed id with 400", async () => {
    const unknown = "00000000-0000-4000-8000-00000000ffff";
    const res = await t.api.getCommand(request("GET", `/api/v1/commands/${unknown}`, { cookie: viewer }), withId(unknown));
    expect(res.status).toBe(404);
    expect((await readJson<ErrorBody>(res)).error.code).toBe("COMMAND_NOT_FOUND");
    const bad = await t.api.getCommand(request("GET", "/api/v1/commands/42", { cookie: viewer }), withId("42"));
    expect(bad.status).toBe(400);
    expect((await readJson<ErrorBody>(bad)).error.message).toMatch(/^id: /);
  });
});

describe("fleet metrics", () => {
  it("exports per-GPU gauges for Prometheus, leaving out what a GPU did not report", async () => {
    const at = new Date().toISOString();
    await t.deps.liveStore.setMany([
      { gpuId: farm.gpuN0.id, rigId: farm.rigN.id, mode: "AI", hashrateHs: null, tempC: 71, powerW: 310, fanPct: 80, utilPct: 99, vramUsedMb: 20_000, coin: null, at },
    ]);
    const denied = await t.api.fleetMetrics(request("GET", "/api/v1/metrics"), noParams);
    expect(denied.status).toBe(401);
    const res = await t.api.fleetMetrics(request("GET", "/api/v1/metrics", { cookie: viewer }), noParams);
    expect(res.status).toBe(200);
    const metrics = parsePrometheusTextFormat(await res.text());
    const sample = (name: string, labels: Record<string, string>) =>
      metrics.find((m) => m.name === name)?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
    const n0 = { site: "North", rig: "n-rig-01", gpu: "0", model: "RTX 3090" };
    expect(sample("rigshift_gpu_temp_celsius", n0)?.value).toBe("71");
    expect(sample("rigshift_gpu_power_watts", n0)?.value).toBe("310");
    expect(sample("rigshift_gpu_mode", { ...n0, mode: "AI" })?.value).toBe("1");
    expect(sample("rigshift_gpu_mode", { ...n0, mode: "HASHING" })?.value).toBe("0");
    // An AI GPU reports no hashrate: no sample, rather than a misleading 0.
    expect(sample("rigshift_gpu_hashrate_hashes_per_second", n0)).toBeUndefined();
  });
});
