import { DomainError, type GpuSamplePoint, type GpuView, type RigView, type SiteView } from "@rigshift/protocol";
import type { Db } from "../client";
import type { GpuLiveStore } from "../live/gpu-live-store";
import { readPinTarget } from "./gpu-planning";
import { listGpuChart } from "./telemetry-chart";

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
  pinTarget: true, pinUntil: true, maintenance: true,
} as const;

type GpuRow = { id: string; rigId: string; index: number; uuid: string | null; vendor: "NVIDIA" | "AMD"; model: string; vramMb: number;
  currentMode: GpuView["mode"]; desiredMode: GpuView["mode"]; rig: { siteId: string; lastSeenAt: Date | null };
  pinTarget: unknown; pinUntil: Date | null; maintenance: boolean };

const toGpuView = (g: GpuRow, live: Awaited<ReturnType<GpuLiveStore["getMany"]>>, now: Date): GpuView => {
  const l = live.get(g.id);
  // A pin past its `until` no longer binds the planner, so it is shown as none (as in GpuPlanningState).
  const pinTarget = readPinTarget(g.pinTarget);
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
    pin: pinTarget && g.pinUntil && g.pinUntil > now ? { target: pinTarget, until: g.pinUntil.toISOString() } : null,
    maintenance: g.maintenance,
  };
};

/** `now` decides which pins have expired; default the wall clock. */
export const listGpuViews = async (
  db: Db,
  live: GpuLiveStore,
  { siteId, rigId, now = new Date() }: { siteId?: string; rigId?: string; now?: Date } = {},
): Promise<GpuView[]> => {
  const gpus = await db.gpu.findMany({
    where: { ...(rigId ? { rigId } : {}), ...(siteId ? { rig: { siteId } } : {}) },
    orderBy: [{ rig: { site: { name: "asc" } } }, { rig: { name: "asc" } }, { index: "asc" }],
    select: gpuSelect,
  });
  const states = await live.getMany(gpus.map((g) => g.id));
  return gpus.map((g) => toGpuView(g, states, now));
};

export const getGpuView = async (db: Db, live: GpuLiveStore, gpuId: string, now = new Date()): Promise<GpuView> => {
  const gpu = await db.gpu.findUnique({ where: { id: gpuId }, select: gpuSelect });
  if (!gpu) throw new DomainError("GPU_NOT_FOUND", `no GPU with id ${gpuId}`, { gpuId });
  return toGpuView(gpu, await live.getMany([gpu.id]), now);
};

/** A GPU's chart points between two times: see `listGpuChart`, which also says their resolution. */
export const listGpuSamples = async (
  db: Db,
  gpuId: string,
  window: { from: Date; to: Date; maxPoints?: number },
): Promise<GpuSamplePoint[]> => (await listGpuChart(db, gpuId, window)).samples;
