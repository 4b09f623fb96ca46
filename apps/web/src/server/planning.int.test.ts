import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFleetSnapshot, planFleet, recordPlan } from "@rigshift/db";
import { plan } from "@rigshift/planner";
import type { GpuPlanningState, GpuView, PlanPreview, PlanView, WorkloadSourceView, WorkloadView } from "@rigshift/protocol";
import { createTestApi, insertFarm, noParams, readJson, request, type TestApi, withId } from "./testing";

type ErrorBody = { error: { code: string; message: string } };

let t: TestApi;
let farm: Awaited<ReturnType<typeof insertFarm>>;
let viewer: string;
let finance: string;
let operator: string;

beforeAll(async () => {
  t = await createTestApi();
  farm = await insertFarm(t.db);
  viewer = (await t.signIn("VIEWER")).cookie;
  finance = (await t.signIn("FINANCE")).cookie;
  operator = (await t.signIn("OPERATOR")).cookie;
  await t.db.minerProfile.create({
    data: { name: "ETC pool", coin: "ETC", algorithm: "etchash", miner: "lolminer", poolUrl: "stratum+tcp://etc.example.org:1010", wallet: "0x1", worker: "w", extraArgs: [] },
  });
});
afterAll(async () => t?.close());

const submit = (body: unknown, cookie = operator) => t.api.createWorkload(request("POST", "/api/v1/workloads", { body, cookie }), noParams);
const job = { name: "llama finetune", customer: "Acme AI", gpusNeeded: 2, minVramMb: 20_000, sameRig: true, expectedHours: "6", usdPerGpuHour: "0.55", priority: 5 };

describe("workload queue", () => {
  it("takes a submission, lists it pending with no placement, and audits it", async () => {
    const res = await submit({ ...job, deadline: "2030-01-01T00:00:00Z" });
    expect(res.status).toBe(201);
    const w = await readJson<WorkloadView>(res);
    expect(w).toMatchObject({ ...job, status: "PENDING", source: null, placement: [], deadline: "2030-01-01T00:00:00.000Z", checkpointGraceS: 60 });
    const list = await readJson<{ workloads: WorkloadView[] }>(await t.api.listWorkloads(request("GET", "/api/v1/workloads", { cookie: viewer }), noParams));
    expect(list.workloads.map((x) => x.id)).toContain(w.id);
    expect(await t.db.auditLog.count({ where: { action: "workload.submitted", targetId: w.id } })).toBe(1);
  });

  it("takes open-ended work (no expected hours)", async () => {
    const w = await readJson<WorkloadView>(await submit({ ...job, name: "inference", expectedHours: null }));
    expect(w.expectedHours).toBeNull();
  });

  it("names bad fields and stores nothing", async () => {
    const before = await t.db.aiWorkload.count();
    const res = await submit({ ...job, gpusNeeded: 0, usdPerGpuHour: 0.5, earliestStart: "2030-02-01T00:00:00Z", deadline: "2030-01-01T00:00:00Z" });
    expect(res.status).toBe(400);
    const message = (await readJson<ErrorBody>(res)).error.message;
    expect(message).toMatch(/gpusNeeded/);
    expect(message).toMatch(/usdPerGpuHour/);
    expect(await t.db.aiWorkload.count()).toBe(before);
  });

  it("cancels queued work once; a second cancel is a conflict", async () => {
    const w = await readJson<WorkloadView>(await submit({ ...job, name: "to cancel" }));
    const res = await t.api.cancelWorkload(request("POST", `/api/v1/workloads/${w.id}/cancel`, { cookie: operator }), withId(w.id));
    expect(await readJson(res)).toMatchObject({ status: "CANCELLED" });
    expect((await t.api.cancelWorkload(request("POST", `/api/v1/workloads/${w.id}/cancel`, { cookie: operator }), withId(w.id))).status).toBe(409);
    const open = await readJson<{ workloads: WorkloadView[] }>(await t.api.listWorkloads(request("GET", "/api/v1/workloads", { cookie: viewer }), noParams));
    expect(open.workloads.map((x) => x.id)).not.toContain(w.id);
    const cancelled = await readJson<{ workloads: WorkloadView[] }>(await t.api.listWorkloads(request("GET", "/api/v1/workloads?status=cancelled", { cookie: viewer }), noParams));
    expect(cancelled.workloads.map((x) => x.id)).toEqual([w.id]);
  });

  it("lets neither a viewer nor finance submit or cancel", async () => {
    expect((await submit(job, viewer)).status).toBe(403);
    expect((await submit(job, finance)).status).toBe(403);
    const w = await t.db.aiWorkload.findFirstOrThrow({ where: { status: "PENDING" } });
    expect((await t.api.cancelWorkload(request("POST", `/api/v1/workloads/${w.id}/cancel`, { cookie: finance }), withId(w.id))).status).toBe(403);
  });

  it("registers a marketplace feed as a workload source", async () => {
    const created = await t.api.createWorkloadSource(request("POST", "/api/v1/workload-sources", { body: { name: "gpu market", url: "http://127.0.0.1:9/jobs.json" }, cookie: operator }), noParams);
    expect(created.status).toBe(201);
    expect(await readJson(created)).toMatchObject({ adapter: "json-feed", enabled: true });
    const bad = await t.api.createWorkloadSource(request("POST", "/api/v1/workload-sources", { body: { name: "x", url: "ftp://example.org/jobs" }, cookie: operator }), noParams);
    expect(bad.status).toBe(400);
    const list = await readJson<{ sources: WorkloadSourceView[] }>(await t.api.listWorkloadSources(request("GET", "/api/v1/workload-sources", { cookie: viewer }), noParams));
    expect(list.sources.map((s) => s.name)).toEqual(["gpu market"]);
  });
});

describe("pins and maintenance", () => {
  const gpuId = () => farm.gpuN0.id;

  it("pins a GPU to a coin until a time, shows it, and unpins it, audited", async () => {
    const until = new Date(Date.now() + 2 * 3_600_000).toISOString();
    const res = await t.api.pinGpu(request("PUT", `/api/v1/gpus/${gpuId()}/pin`, { body: { mode: "HASHING", coin: "etc", until }, cookie: operator }), withId(gpuId()));
    expect(res.status).toBe(200);
    expect(await readJson<GpuPlanningState>(res)).toEqual({
      gpuId: gpuId(), pin: { target: { mode: "HASH", coin: "ETC", algorithm: "etchash" }, until: new Date(until).toISOString() }, maintenance: false, maintenanceNote: null,
    });
    const unpinned = await t.api.unpinGpu(request("DELETE", `/api/v1/gpus/${gpuId()}/pin`, { cookie: operator }), withId(gpuId()));
    expect((await readJson<GpuPlanningState>(unpinned)).pin).toBeNull();
    expect(await t.db.auditLog.count({ where: { targetId: gpuId(), action: { in: ["gpu.pinned", "gpu.unpinned"] } } })).toBe(2);
  });

  it("names what a pin lacks", async () => {
    const noCoin = await t.api.pinGpu(request("PUT", `/api/v1/gpus/${gpuId()}/pin`, { body: { mode: "HASHING" }, cookie: operator }), withId(gpuId()));
    expect((await readJson<ErrorBody>(noCoin)).error.message).toMatch(/coin/);
    const unknownCoin = await t.api.pinGpu(request("PUT", `/api/v1/gpus/${gpuId()}/pin`, { body: { mode: "HASHING", coin: "DOGE" }, cookie: operator }), withId(gpuId()));
    expect((await readJson<ErrorBody>(unknownCoin)).error.message).toMatch(/no miner profile mines DOGE/);
    const past = await t.api.pinGpu(request("PUT", `/api/v1/gpus/${gpuId()}/pin`, { body: { mode: "IDLE", until: "2020-01-01T00:00:00Z" }, cookie: operator }), withId(gpuId()));
    expect(past.status).toBe(400);
  });

  it("puts a GPU in maintenance and takes it out", async () => {
    const on = await t.api.setGpuMaintenance(request("PUT", `/api/v1/gpus/${gpuId()}/maintenance`, { body: { enabled: true, note: "fan swap" }, cookie: operator }), withId(gpuId()));
    expect(await readJson(on)).toMatchObject({ maintenance: true, maintenanceNote: "fan swap" });
    const off = await t.api.setGpuMaintenance(request("PUT", `/api/v1/gpus/${gpuId()}/maintenance`, { body: { enabled: false }, cookie: operator }), withId(gpuId()));
    expect(await readJson(off)).toMatchObject({ maintenance: false, maintenanceNote: null });
  });

  it("lets neither a viewer nor finance pin, unpin or change maintenance", async () => {
    for (const cookie of [viewer, finance]) {
      expect((await t.api.pinGpu(request("PUT", `/api/v1/gpus/${gpuId()}/pin`, { body: { mode: "IDLE" }, cookie }), withId(gpuId()))).status).toBe(403);
      expect((await t.api.unpinGpu(request("DELETE", `/api/v1/gpus/${gpuId()}/pin`, { cookie }), withId(gpuId()))).status).toBe(403);
      expect((await t.api.setGpuMaintenance(request("PUT", `/api/v1/gpus/${gpuId()}/maintenance`, { body: { enabled: true }, cookie }), withId(gpuId()))).status).toBe(403);
    }
    expect((await t.db.gpu.findUniqueOrThrow({ where: { id: gpuId() } })).pinTarget).toBeNull();
  });

  it("pins the GPUs of a manual switch for 4 hours by default, or until the time given, or not at all", async () => {
    const before = Date.now();
    const res = await t.api.createCommand(request("POST", "/api/v1/commands", { body: { type: "switch", gpuIds: [farm.gpuN1.id], mode: "IDLE" }, cookie: operator }), noParams);
    expect(res.status).toBe(202);
    const state = await readJson<GpuPlanningState>(await t.api.getGpuPlanning(request("GET", `/api/v1/gpus/${farm.gpuN1.id}/planning`, { cookie: viewer }), withId(farm.gpuN1.id)));
    expect(state.pin?.target).toEqual({ mode: "IDLE" });
    const hours = (Date.parse(state.pin!.until) - before) / 3_600_000;
    expect(hours).toBeGreaterThanOrEqual(4);
    expect(hours).toBeLessThan(4.01);

    const until = new Date(Date.now() + 30 * 60_000).toISOString();
    await t.api.createCommand(request("POST", "/api/v1/commands", { body: { type: "switch", gpuIds: [farm.gpuS0.id], mode: "IDLE", pinUntil: until }, cookie: operator }), noParams);
    expect((await t.db.gpu.findUniqueOrThrow({ where: { id: farm.gpuS0.id } })).pinUntil?.toISOString()).toBe(until);

    await t.api.createCommand(request("POST", "/api/v1/commands", { body: { type: "switch", gpuIds: [farm.gpuN0.id], mode: "IDLE", pinUntil: null }, cookie: operator }), noParams);
    expect((await t.db.gpu.findUniqueOrThrow({ where: { id: farm.gpuN0.id } })).pinUntil).toBeNull();

    const finance403 = await t.api.createCommand(request("POST", "/api/v1/commands", { body: { type: "switch", gpuIds: [farm.gpuN0.id], mode: "AI" }, cookie: finance }), noParams);
    expect(finance403.status).toBe(403);
  });

  it("shows every GPU's pin and maintenance in the fleet list, an expired pin as none", async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await t.api.pinGpu(request("PUT", `/api/v1/gpus/${farm.gpuN1.id}/pin`, { body: { mode: "IDLE", until }, cookie: operator }), withId(farm.gpuN1.id));
    // South's pin ran out a minute ago (the API refuses a pin in the past, so the clock is set back in the row).
    await t.db.gpu.update({ where: { id: farm.gpuS0.id }, data: { pinTarget: { mode: "IDLE" }, pinUntil: new Date(Date.now() - 60_000) } });
    await t.api.setGpuMaintenance(request("PUT", `/api/v1/gpus/${farm.gpuN0.id}/maintenance`, { body: { enabled: true, note: "riser" }, cookie: operator }), withId(farm.gpuN0.id));

    const { gpus } = await readJson<{ gpus: GpuView[] }>(await t.api.listGpus(request("GET", "/api/v1/gpus", { cookie: viewer }), noParams));
    const byId = new Map(gpus.map((g) => [g.id, g]));
    expect(byId.get(farm.gpuN1.id)).toMatchObject({ pin: { target: { mode: "IDLE" }, until: new Date(until).toISOString() }, maintenance: false });
    expect(byId.get(farm.gpuS0.id)).toMatchObject({ pin: null, maintenance: false });
    expect(byId.get(farm.gpuN0.id)).toMatchObject({ pin: null, maintenance: true });
    const one = await readJson<GpuView>(await t.api.getGpu(request("GET", `/api/v1/gpus/${farm.gpuN0.id}`, { cookie: viewer }), withId(farm.gpuN0.id)));
    expect(one.maintenance).toBe(true);

    await t.api.setGpuMaintenance(request("PUT", `/api/v1/gpus/${farm.gpuN0.id}/maintenance`, { body: { enabled: false }, cookie: operator }), withId(farm.gpuN0.id));
    const after = await readJson<GpuView>(await t.api.getGpu(request("GET", `/api/v1/gpus/${farm.gpuN0.id}`, { cookie: viewer }), withId(farm.gpuN0.id)));
    expect(after.maintenance).toBe(false);
  });
});

describe("plans", () => {
  it("has no latest plan before the plan job runs", async () => {
    const res = await t.api.latestPlan(request("GET", "/api/v1/plans/latest", { cookie: viewer }), noParams);
    expect(res.status).toBe(404);
  });

  it("previews the next plan from the current snapshot without recording or commanding anything", async () => {
    // North prices energy from its trace; South has no price source and is named as skipped.
    await t.db.energyPrice.create({ data: { siteId: farm.north.id, at: new Date(Date.now() - 3_600_000), perMwh: "40", currency: "USD", source: "test" } });
    await t.db.site.update({ where: { id: farm.north.id }, data: { energySource: "TRACE" } });
    await t.db.marketQuote.create({ data: { kind: "COIN", symbol: "ETC", algorithm: "etchash", at: new Date(Date.now() - 3_600_000), priceUsd: "20", usdPerHsDay: "0.000000003", source: "test" } });
    const commandsBefore = await t.db.command.count();

    const res = await t.api.previewPlan(request("GET", "/api/v1/plans/preview", { cookie: viewer }), noParams);
    expect(res.status).toBe(200);
    const preview = await readJson<PlanPreview>(res);
    expect(preview.decisions.map((d) => d.gpuId).sort()).toEqual([farm.gpuN0.id, farm.gpuN1.id].sort());
    expect(preview.skipped).toContainEqual({ siteId: farm.south.id, gpuIds: [farm.gpuS0.id], reason: "no tariff in force" });
    for (const d of preview.decisions) {
      expect(d.reason.length).toBeGreaterThan(0);
      expect(d.options.idleUsdPerHour).toMatch(/^-?\d+\.\d{8}$/);
    }
    expect(await t.db.plan.count()).toBe(0);
    expect(await t.db.command.count()).toBe(commandsBefore);
  });

  it("names the work no GPU can take, in the preview and in the recorded plan", async () => {
    // 80 GB per GPU: more than any card in the farm (24 GB at most).
    const big = await readJson<WorkloadView>(await submit({ ...job, name: "70b pretrain", gpusNeeded: 1, minVramMb: 81_920, sameRig: false }));
    const preview = await readJson<PlanPreview>(await t.api.previewPlan(request("GET", "/api/v1/plans/preview", { cookie: viewer }), noParams));
    const inPreview = preview.unplaced.find((u) => u.workloadId === big.id);
    expect(inPreview?.reason).toMatch(/80 GB/);
    expect(preview.placements.map((p) => p.workloadId)).not.toContain(big.id);

    // Recorded the way the scheduler's plan job records it.
    const now = new Date();
    const snapshot = await loadFleetSnapshot(t.db, t.deps.liveStore, { now });
    await recordPlan(t.db, snapshot, planFleet(snapshot, plan), { now, durationMs: 1, commandTtlS: 600 });
    const res = await t.api.latestPlan(request("GET", "/api/v1/plans/latest", { cookie: viewer }), noParams);
    expect(res.status).toBe(200);
    const latest = await readJson<PlanView>(res);
    expect(latest.unplaced).toContainEqual({ workloadId: big.id, reason: inPreview!.reason });
  });
});
