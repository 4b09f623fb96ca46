import { DomainError, type GpuSamplePoint, type GpuView, type RigView, type SiteView, ZGpuMode } from "@rigshift/protocol";
import type { Db } from "../client";
import type { GpuLiveStore } from "../live/gpu-live-store";

/** Read models of the fleet (sites → rigs → GPUs) for the dashboard and the REST API. */

export const listSiteViews = async (db: Db): Promise<SiteView[]> => {
  const sites = await db.site.findMany({
    orderBy: { name: "asc" },
    select: { id: true, name: true, timezone: true, currency: true, powerCapKw: true, rigs: { select: { _count: { select: { gpus: true } } } } },
  });
  return sites.map((s) => ({
    id: s.id,
    name: s.name,
    timezone: s.timezone,
    currency: s.currency,
    powerCapKw: s.powerCapKw.toString(),
    rigCount: s.rigs.length,
    gpuCount: s.rigs.reduce((n, r) => n + r._count.gpus, 0),
  }));
};

export const listRigViews = async (db: Db, { siteId }: { siteId?: string } = {}): Promise<RigView[]> => {
  const rigs = await db.rig.findMany({
    where: siteId ? { siteId } : {},
    orderBy: [{ site: { name: "asc" } }, { name: "asc" }],
    select: {
      id: true, siteId: true, name: true, hostname: true, agentVersion: true, tokenHash: true, lastSeenAt: true,
      _count: { select: { gpus: true } },
    },
  });
  return rigs.map((r) => ({
    id: r.id,
    siteId: r.siteId,
    name: r.name,
    hostname: r.hostname,
    agentVersion: r.agentVersion,
    enrolled: r.tokenHash !== null,
    lastSeenAt: r.lastSeenAt?.toISOString() ?? null,
    gpuCount: r._count.gpus,
  }));
};

const gpuSelect = {
  id: true, rigId: true, index: true, uuid: true, vendor: true, model: true, vramMb: true,
  currentMode: true, desiredMode: true, rig: { select: { siteId: true, lastSeenAt: true } },
} as const;

type GpuRow = { id: string; rigId: string; index: number; uuid: string | null; vendor: "NVIDIA" | "AMD"; model: string; vramMb: number;
  currentMode: GpuView["mode"]; desiredMode: GpuView["mode"]; rig: { siteId: string; lastSeenAt: Date | null } };

const toGpuView = (g: GpuRow, live: Awaited<ReturnType<GpuLiveStore["getMany"]>>): GpuView => {
  const l = live.get(g.id);
  return {
    id: g.id,
    rigId: g.rigId,
    siteId: g.rig.siteId,
    index: g.index,
    uuid: g.uuid,
    vendor: g.vendor,
    model: g.model,
    vramMb: g.vramMb,
    // The database row holds the mode as of the last command step or telemetry; Redis has
    // the newest sample, which wins while it is fresher.
    mode: l?.mode ?? g.currentMode,
    desiredMode: g.desiredMode,
    hashrateHs: l?.hashrateHs ?? null,
    tempC: l?.tempC ?? null,
    powerW: l?.powerW ?? null,
    fanPct: l?.fanPct ?? null,
    utilPct: l?.utilPct ?? null,
    vramUsedMb: l?.vramUsedMb ?? null,
    coin: l?.coin ?? null,
    lastSeenAt: l?.at ?? g.rig.lastSeenAt?.toISOString() ?? null,
  };
};

export const listGpuViews = async (db: Db, live: GpuLiveStore, { siteId, rigId }: { siteId?: string; rigId?: string } = {}): Promise<GpuView[]> => {
  const gpus = await db.gpu.findMany({
    where: { ...(rigId ? { rigId } : {}), ...(siteId ? { rig: { siteId } } : {}) },
    orderBy: [{ rig: { site: { name: "asc" } } }, { rig: { name: "asc" } }, { index: "asc" }],
    select: gpuSelect,
  });
  const states = await live.getMany(gpus.map((g) => g.id));
  return gpus.map((g) => toGpuView(g, states));
};

export const getGpuView = async (db: Db, live: GpuLiveStore, gpuId: string): Promise<GpuView> => {
  const gpu = await db.gpu.findUnique({ where: { id: gpuId }, select: gpuSelect });
  if (!gpu) throw new DomainError("GPU_NOT_FOUND", `no GPU with id ${gpuId}`, { gpuId });
  return toGpuView(gpu, await live.getMany([gpu.id]));
};

type SampleBucket = { at: Date; mode: string; hashrateHs: number | null; tempC: number | null; powerW: number | null };

/**
 * A GPU's samples between two times, averaged into at most `maxPoints` equal buckets so a
 * chart of a day costs the same as a chart of an hour. The mode of a bucket is its last sample's.
 * A bucket with no sample comes back with null readings, so a chart shows an outage (or telemetry
 * the rig had to drop) as a gap rather than drawing a line across it.
 */
export const listGpuSamples = async (
  db: Db,
  gpuId: string,
  { from, to, maxPoints = 720 }: { from: Date; to: Date; maxPoints?: number },
): Promise<GpuSamplePoint[]> => {
  const bucketMs = Math.max(1000, Math.ceil((to.getTime() - from.getTime()) / maxPoints));
  const rows = await db.$queryRaw<SampleBucket[]>`
    SELECT date_bin(${`${bucketMs} milliseconds`}::interval, "at", ${from}::timestamptz) AS "at",
           (array_agg("mode"::text ORDER BY "at" DESC))[1] AS "mode",
           avg("hashrateHs") AS "hashrateHs", avg("tempC") AS "tempC", avg("powerW") AS "powerW"
      FROM "TelemetrySample"
     WHERE "gpuId" = ${gpuId}::uuid AND "at" >= ${from} AND "at" < ${to}
     GROUP BY 1 ORDER BY 1`;
  const points = rows.map((r) => ({
    at: r.at.toISOString(),
    mode: ZGpuMode.parse(r.mode),
    hashrateHs: r.hashrateHs === null ? null : Number(r.hashrateHs),
    tempC: r.tempC === null ? null : Number(r.tempC),
    powerW: r.powerW === null ? null : Number(r.powerW),
  }));
  // Fill only between the first and last sample: before the first there may simply be no history.
  const out: GpuSamplePoint[] = [];
  let previous: number | null = null;
  for (const p of points) {
    const t = Date.parse(p.at);
    // Agents sample every few seconds; a bucket is only "missing" when samples are sparser than buckets.
    if (previous !== null && t - previous > 2 * Math.max(bucketMs, 60_000)) {
      out.push({ at: new Date(previous + bucketMs).toISOString(), mode: "OFFLINE", hashrateHs: null, tempC: null, powerW: null });
    }
    out.push(p);
    previous = t;
  }
  return out;
};
