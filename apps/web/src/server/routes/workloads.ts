import {
  cancelWorkload,
  createWorkload,
  createWorkloadSource,
  deleteWorkloadSource,
  getWorkloadView,
  listWorkloadSources,
  listWorkloadViews,
  updateWorkloadSource,
} from "@rigshift/db";
import { ZCreateWorkloadBody, ZCreateWorkloadSourceBody, ZUpdateWorkloadSourceBody, ZWorkloadListQuery } from "@rigshift/protocol";
import { authorize } from "../auth";
import type { ApiDeps } from "../deps";
import { json, parseBody, parseIdParam, parseQuery, route } from "../http";
import { auditEntryActor, PLANNING_WRITE } from "./planning-access";

/** The AI workload queue and the external marketplaces that feed it. */
export const workloadRoutes = (deps: ApiDeps) => ({
  /** GET /api/v1/workloads?status=PENDING,PLACED&limit — open work by default, with its placement. */
  listWorkloads: route(deps, async (request) => {
    await authorize(deps, request, "fleet:read");
    const q = parseQuery(request, ZWorkloadListQuery);
    return json({ workloads: await listWorkloadViews(deps.db, q) }, 200, { "cache-control": "no-store" });
  }),

  /** POST /api/v1/workloads — 201 the workload (PENDING); the next plan places it. */
  createWorkload: route(deps, async (request) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    const body = await parseBody(request, ZCreateWorkloadBody);
    const workload = await createWorkload(deps.db, body, { actor: auditEntryActor(caller) });
    return json(workload, 201, { location: `/api/v1/workloads/${workload.id}` });
  }),

  /** GET /api/v1/workloads/{id} */
  getWorkload: route(deps, async (request, context) => {
    await authorize(deps, request, "fleet:read");
    return json(await getWorkloadView(deps.db, await parseIdParam(context)), 200, { "cache-control": "no-store" });
  }),

  /** POST /api/v1/workloads/{id}/cancel — 200 the workload, CANCELLED; 409 when already done or cancelled. */
  cancelWorkload: route(deps, async (request, context) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    const id = await parseIdParam(context);
    return json(await cancelWorkload(deps.db, id, { actor: auditEntryActor(caller), now: deps.now() }));
  }),

  /** GET /api/v1/workload-sources */
  listWorkloadSources: route(deps, async (request) => {
    await authorize(deps, request, "fleet:read");
    return json({ sources: await listWorkloadSources(deps.db) });
  }),

  /** POST /api/v1/workload-sources — { name, url, adapter?: "json-feed", enabled? }; 201 the source. */
  createWorkloadSource: route(deps, async (request) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    const body = await parseBody(request, ZCreateWorkloadSourceBody);
    const source = await createWorkloadSource(deps.db, body, auditEntryActor(caller));
    return json(source, 201, { location: `/api/v1/workload-sources/${source.id}` });
  }),

  /** PATCH /api/v1/workload-sources/{id} — name, url, enabled. */
  updateWorkloadSource: route(deps, async (request, context) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    const id = await parseIdParam(context);
    const body = await parseBody(request, ZUpdateWorkloadSourceBody);
    return json(await updateWorkloadSource(deps.db, id, body, auditEntryActor(caller)));
  }),

  /** DELETE /api/v1/workload-sources/{id} — 204; its jobs stay in the queue. */
  deleteWorkloadSource: route(deps, async (request, context) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    await deleteWorkloadSource(deps.db, await parseIdParam(context), auditEntryActor(caller));
    return new Response(null, { status: 204 });
  }),
});
