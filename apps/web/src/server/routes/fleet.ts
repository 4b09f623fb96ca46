import { z } from "zod";
import { DomainError } from "@rigshift/protocol";
import { getGpuView, listGpuChart, listGpuViews, listRigViews, listSiteViews } from "@rigshift/db";
import { authorize } from "../auth";
import type { ApiDeps } from "../deps";
import { json, parseIdParam, parseQuery, route } from "../http";

export const ZRigListQuery = z.object({ siteId: z.uuid().optional() });
export const ZGpuListQuery = z.object({ siteId: z.uuid().optional(), rigId: z.uuid().optional() });

const HOUR_MS = 3_600_000;
// Past a month even hour rollups make a long answer; longer views belong to reports.
const MAX_SAMPLE_SPAN_MS = 31 * 24 * HOUR_MS;

export const ZSamplesQuery = z
  .object({ from: z.iso.datetime({ offset: true }).optional(), to: z.iso.datetime({ offset: true }).optional() })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), { message: "from must be before to", path: ["to"] })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) - Date.parse(q.from) <= MAX_SAMPLE_SPAN_MS, {
    message: "at most 31 days between from and to",
    path: ["from"],
  });

/** Read models of the fleet: any signed-in role may read them. */
export const fleetRoutes = (deps: ApiDeps) => ({
  /** GET /api/v1/sites */
  listSites: route(deps, async (request) => {
    await authorize(deps, request, "fleet:read");
    return json({ sites: await listSiteViews(deps.db) });
  }),

  /** GET /api/v1/rigs?siteId */
  listRigs: route(deps, async (request) => {
    await authorize(deps, request, "fleet:read");
    const query = parseQuery(request, ZRigListQuery);
    return json({ rigs: await listRigViews(deps.db, query) });
  }),

  /** GET /api/v1/gpus?siteId&rigId — database inventory merged with the newest live state from Redis. */
  listGpus: route(deps, async (request) => {
    await authorize(deps, request, "fleet:read");
    const query = parseQuery(request, ZGpuListQuery);
    return json({ gpus: await listGpuViews(deps.db, deps.liveStore, query) });
  }),

  /** GET /api/v1/gpus/{id} */
  getGpu: route(deps, async (request, context) => {
    await authorize(deps, request, "fleet:read");
    const id = await parseIdParam(context);
    return json(await getGpuView(deps.db, deps.liveStore, id));
  }),

  /**
   * GET /api/v1/gpus/{id}/samples?from&to — bucketed telemetry; default the last 6 hours. Raw
   * samples under an hour, minute rollups up to two days, hour rollups beyond (`resolution`,
   * `bucketS`); `samples` keeps the shape the GPU page reads.
   */
  listGpuSamples: route(deps, async (request, context) => {
    await authorize(deps, request, "fleet:read");
    const id = await parseIdParam(context);
    const query = parseQuery(request, ZSamplesQuery);
    const to = query.to ? new Date(query.to) : deps.now();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 6 * HOUR_MS);
    if (from >= to) throw new DomainError("INVALID_INPUT", "from: must be before to", { in: "query" });
    await getGpuView(deps.db, deps.liveStore, id); // 404 for an unknown GPU rather than an empty chart
    const chart = await listGpuChart(deps.db, id, { from, to });
    return json({ gpuId: id, from: from.toISOString(), to: to.toISOString(), resolution: chart.resolution, bucketS: chart.bucketS, samples: chart.samples });
  }),
});
