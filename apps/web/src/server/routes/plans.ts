import { findLatestPlanView, getGpuPlanningState, loadFleetSnapshot, pinGpu, pinTargetFor, planFleet, setGpuMaintenance, toPlanPreview, unpinGpu, DEFAULT_PIN_HOURS } from "@rigshift/db";
import { plan } from "@rigshift/planner";
import { DomainError, ZMaintenanceBody, ZPinBody } from "@rigshift/protocol";
import { authorize } from "../auth";
import type { ApiDeps } from "../deps";
import { json, parseBody, parseIdParam, route } from "../http";
import { auditEntryActor, PLANNING_WRITE } from "./planning-access";

const HOUR_MS = 3_600_000;

/** The planner's output (latest recorded plan, a "what if" preview) and the operator's overrides of it. */
export const planRoutes = (deps: ApiDeps) => ({
  /** GET /api/v1/plans/latest — the newest recorded plan with every GPU's decision; 404 before the first. */
  latestPlan: route(deps, async (request) => {
    await authorize(deps, request, "fleet:read");
    const view = await findLatestPlanView(deps.db);
    if (!view) throw new DomainError("NOT_FOUND", "no plan recorded yet: the scheduler's plan job has not run");
    return json(view, 200, { "cache-control": "no-store" });
  }),

  /** GET /api/v1/plans/preview — what the next plan would change, from the current snapshot; records and commands nothing. */
  previewPlan: route(deps, async (request) => {
    await authorize(deps, request, "fleet:read");
    const now = deps.now();
    const snapshot = await loadFleetSnapshot(deps.db, deps.liveStore, { now });
    return json(toPlanPreview(snapshot, planFleet(snapshot, plan), now), 200, { "cache-control": "no-store" });
  }),

  /** GET /api/v1/gpus/{id}/planning — pin and maintenance state. */
  getGpuPlanning: route(deps, async (request, context) => {
    await authorize(deps, request, "fleet:read");
    return json(await getGpuPlanningState(deps.db, await parseIdParam(context), deps.now()));
  }),

  /** PUT /api/v1/gpus/{id}/pin — { mode, coin? (HASHING), workloadId? (AI), until? (default now + 4 h) }. */
  pinGpu: route(deps, async (request, context) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    const gpuId = await parseIdParam(context);
    const body = await parseBody(request, ZPinBody);
    const now = deps.now();
    const until = body.until ? new Date(body.until) : new Date(now.getTime() + DEFAULT_PIN_HOURS * HOUR_MS);
    if (until <= now) throw new DomainError("INVALID_INPUT", "until: must be in the future", { in: "body" });
    const target = await pinTargetFor(deps.db, body);
    return json(await pinGpu(deps.db, gpuId, { target, until, actor: auditEntryActor(caller), now }));
  }),

  /** DELETE /api/v1/gpus/{id}/pin — the planner may move the GPU again from its next run. */
  unpinGpu: route(deps, async (request, context) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    return json(await unpinGpu(deps.db, await parseIdParam(context), { actor: auditEntryActor(caller), now: deps.now() }));
  }),

  /** PUT /api/v1/gpus/{id}/maintenance — { enabled, note? }. */
  setGpuMaintenance: route(deps, async (request, context) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    const gpuId = await parseIdParam(context);
    const body = await parseBody(request, ZMaintenanceBody);
    return json(await setGpuMaintenance(deps.db, gpuId, { ...body, actor: auditEntryActor(caller), now: deps.now() }));
  }),
});
