import {
  type CreateWorkloadBody,
  DomainError,
  type WorkloadSourceView,
  type WorkloadStatus,
  type WorkloadView,
} from "@rigshift/protocol";
import type { Db, PrismaClient } from "../client";
import type { Prisma } from "../generated/prisma/client";
import { recordAudit, type AuditEntry } from "./audit";

/**
 * The AI workload queue: work submitted through the API or dashboard, and work taken from
 * external marketplaces' feeds (unique per source and external id). The plan job places it;
 * this module stores, lists and cancels it.
 */

type Actor = Pick<AuditEntry, "actorType" | "actorId">;

/** Statuses still in the queue: the planner sees these. */
export const OPEN_WORKLOAD_STATUSES = ["PENDING", "PLACED", "RUNNING"] as const satisfies readonly WorkloadStatus[];

const workloadSelect = {
  id: true, name: true, customer: true, externalId: true, gpusNeeded: true, minVramMb: true, sameRig: true, expectedHours: true,
  usdPerGpuHour: true, priority: true, earliestStart: true, deadline: true, checkpointGraceS: true, status: true, createdAt: true,
  placedAt: true, startedAt: true, finishedAt: true, cancelledAt: true, placedGpuIds: true, source: { select: { id: true, name: true } },
} as const;
type WorkloadRow = Prisma.AiWorkloadGetPayload<{ select: typeof workloadSelect }>;

const iso = (d: Date | null) => d?.toISOString() ?? null;

const toViews = async (db: Db, rows: WorkloadRow[]): Promise<WorkloadView[]> => {
  const gpuIds = [...new Set(rows.flatMap((r) => r.placedGpuIds))];
  const gpus = gpuIds.length
    ? await db.gpu.findMany({ where: { id: { in: gpuIds } }, select: { id: true, index: true, rigId: true, rig: { select: { name: true, siteId: true } } } })
    : [];
  const byId = new Map(gpus.map((g) => [g.id, g]));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    customer: r.customer,
    source: r.source,
    externalId: r.externalId,
    gpusNeeded: r.gpusNeeded,
    minVramMb: r.minVramMb,
    sameRig: r.sameRig,
    expectedHours: r.expectedHours?.toString() ?? null,
    usdPerGpuHour: r.usdPerGpuHour.toString(),
    priority: r.priority,
    earliestStart: iso(r.earliestStart),
    deadline: iso(r.deadline),
    checkpointGraceS: r.checkpointGraceS,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
    placedAt: iso(r.placedAt),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    cancelledAt: iso(r.cancelledAt),
    placement: r.placedGpuIds.flatMap((id) => {
      const g = byId.get(id);
      return g ? [{ gpuId: g.id, rigId: g.rigId, rigName: g.rig.name, siteId: g.rig.siteId, index: g.index }] : [];
    }),
  }));
};

export const createWorkload = (db: PrismaClient, body: CreateWorkloadBody, { actor }: { actor: Actor }) =>
  db.$transaction(async (tx) => {
    const row = await tx.aiWorkload.create({
      data: {
        name: body.name, customer: body.customer, gpusNeeded: body.gpusNeeded, minVramMb: body.minVramMb, sameRig: body.sameRig,
        expectedHours: body.expectedHours, usdPerGpuHour: body.usdPerGpuHour, priority: body.priority,
        earliestStart: body.earliestStart ? new Date(body.earliestStart) : null, deadline: body.deadline ? new Date(body.deadline) : null,
        checkpointGraceS: body.checkpointGraceS, image: body.image, command: body.command, args: body.args, env: body.env,
      },
      select: workloadSelect,
    });
    await recordAudit(tx, {
      ...actor, action: "workload.submitted", targetType: "workload", targetId: row.id,
      details: { name: body.name, customer: body.customer, gpusNeeded: body.gpusNeeded, usdPerGpuHour: body.usdPerGpuHour },
    });
    return (await toViews(tx, [row]))[0]!;
  });

export const listWorkloadViews = async (db: Db, { status, limit = 200 }: { status?: WorkloadStatus[]; limit?: number } = {}) =>
  toViews(
    db,
    await db.aiWorkload.findMany({
      where: { status: { in: status ?? [...OPEN_WORKLOAD_STATUSES] } },
      orderBy: [{ priority: "desc" }, { createdAt: "asc" }],
      take: limit,
      select: workloadSelect,
    }),
  );

export const getWorkloadView = async (db: Db, id: string) => {
  const row = await db.aiWorkload.findUnique({ where: { id }, select: workloadSelect });
  if (!row) throw new DomainError("NOT_FOUND", `no workload with id ${id}`, { workloadId: id });
  return (await toViews(db, [row]))[0]!;
};

/**
 * Cancel queued or running work. Running work is stopped by the next plan (its GPUs get a new
 * target), after the workload's checkpoint grace. Cancelling finished work is a conflict.
 */
export const cancelWorkload = (db: PrismaClient, id: string, { actor, now, reason }: { actor: Actor; now: Date; reason?: string }) =>
  db.$transaction(async (tx) => {
    const row = await tx.aiWorkload.findUnique({ where: { id }, select: { status: true } });
    if (!row) throw new DomainError("NOT_FOUND", `no workload with id ${id}`, { workloadId: id });
    if (row.status === "DONE" || row.status === "CANCELLED") {
      throw new DomainError("CONFLICT", `workload is already ${row.status.toLowerCase()}`, { workloadId: id, status: row.status });
    }
    await tx.aiWorkload.update({ where: { id }, data: { status: "CANCELLED", cancelledAt: now, placedGpuIds: [] } });
    await recordAudit(tx, { ...actor, action: "workload.cancelled", targetType: "workload", targetId: id, details: { from: row.status, reason: reason ?? null } });
    return getWorkloadView(tx, id);
  });

// External sources.

/** A job of an external marketplace, as an adapter hands it over (VRAM in MiB, money as decimal strings). */
export type ExternalWorkload = {
  externalId: string;
  name: string;
  customer: string;
  gpusNeeded: number;
  minVramMb: number;
  sameRig: boolean;
  expectedHours: string | null;
  usdPerGpuHour: string;
  priority: number;
  earliestStart: Date | null;
  deadline: Date | null;
  checkpointGraceS: number;
  image: string | null;
  command: string | null;
  args: string[];
};

export type SyncResult = { created: number; updated: number; cancelled: number };

/**
 * Make the queue match a source's feed: new jobs are added, jobs still pending take the feed's
 * terms, and jobs gone from the feed are cancelled unless already running (a running job is the
 * farm's to finish). Idempotent: the same feed twice changes nothing the second time.
 */
export const syncSourceWorkloads = (db: PrismaClient, { sourceId, jobs, now }: { sourceId: string; jobs: ExternalWorkload[]; now: Date }) =>
  db.$transaction(async (tx): Promise<SyncResult> => {
    const existing = await tx.aiWorkload.findMany({ where: { sourceId }, select: { id: true, externalId: true, status: true } });
    const byExternal = new Map(existing.map((w) => [w.externalId, w]));
    const inFeed = new Set(jobs.map((j) => j.externalId));
    const result: SyncResult = { created: 0, updated: 0, cancelled: 0 };
    const fresh = jobs.filter((j) => !byExternal.has(j.externalId));
    if (fresh.length) {
      const created = await tx.aiWorkload.createMany({
        data: fresh.map((j) => ({ ...j, sourceId, env: {} })),
        skipDuplicates: true,
      });
      result.created = created.count;
    }
    for (const j of jobs) {
      const w = byExternal.get(j.externalId);
      if (w?.status !== "PENDING") continue;
      const { externalId: _, ...terms } = j;
      const changed = await tx.aiWorkload.updateMany({
        where: {
          id: w.id,
          NOT: {
            name: terms.name, customer: terms.customer, gpusNeeded: terms.gpusNeeded, minVramMb: terms.minVramMb, sameRig: terms.sameRig,
            usdPerGpuHour: terms.usdPerGpuHour, priority: terms.priority, checkpointGraceS: terms.checkpointGraceS,
            expectedHours: terms.expectedHours, earliestStart: terms.earliestStart, deadline: terms.deadline,
          },
        },
        data: terms,
      });
      result.updated += changed.count;
    }
    const gone = existing.filter((w) => !inFeed.has(w.externalId ?? "") && (w.status === "PENDING" || w.status === "PLACED"));
    if (gone.length) {
      const cancelled = await tx.aiWorkload.updateMany({
        where: { id: { in: gone.map((w) => w.id) }, status: { in: ["PENDING", "PLACED"] } },
        data: { status: "CANCELLED", cancelledAt: now, placedGpuIds: [] },
      });
      result.cancelled = cancelled.count;
      for (const w of gone) {
        await recordAudit(tx, { actorType: "SYSTEM", action: "workload.cancelled", targetType: "workload", targetId: w.id, details: { from: w.status, reason: "gone from its source's feed" } });
      }
    }
    return result;
  });

const sourceSelect = { id: true, name: true, adapter: true, url: true, enabled: true, lastPolledAt: true, lastOkAt: true, lastError: true, createdAt: true } as const;
const toSourceView = (s: Prisma.WorkloadSourceGetPayload<{ select: typeof sourceSelect }>): WorkloadSourceView => ({
  ...s,
  lastPolledAt: iso(s.lastPolledAt),
  lastOkAt: iso(s.lastOkAt),
  createdAt: s.createdAt.toISOString(),
});

const uniqueName = (name: string | undefined) => (err: unknown) => {
  if ((err as { code?: string }).code === "P2002") throw new DomainError("CONFLICT", `a workload source named "${name}" exists`, { name });
  throw err;
};

export const createWorkloadSource = (db: PrismaClient, body: { name: string; adapter: string; url: string; enabled: boolean }, actor: Actor) =>
  db.$transaction(async (tx) => {
    const row = await tx.workloadSource.create({ data: body, select: sourceSelect }).catch(uniqueName(body.name));
    await recordAudit(tx, { ...actor, action: "workload-source.created", targetType: "workload-source", targetId: row.id, details: body });
    return toSourceView(row);
  });

export const listWorkloadSources = async (db: Db, { enabledOnly = false }: { enabledOnly?: boolean } = {}) =>
  (await db.workloadSource.findMany({ where: enabledOnly ? { enabled: true } : {}, orderBy: { name: "asc" }, select: sourceSelect })).map(toSourceView);

export const getWorkloadSource = async (db: Db, id: string) => {
  const row = await db.workloadSource.findUnique({ where: { id }, select: sourceSelect });
  if (!row) throw new DomainError("NOT_FOUND", `no workload source with id ${id}`, { sourceId: id });
  return toSourceView(row);
};

export const updateWorkloadSource = (db: PrismaClient, id: string, patch: { name?: string; url?: string; enabled?: boolean }, actor: Actor) =>
  db.$transaction(async (tx) => {
    await getWorkloadSource(tx, id);
    const row = await tx.workloadSource.update({ where: { id }, data: patch, select: sourceSelect }).catch(uniqueName(patch.name));
    await recordAudit(tx, { ...actor, action: "workload-source.updated", targetType: "workload-source", targetId: id, details: patch });
    return toSourceView(row);
  });

/** Removes the source; its jobs stay in the queue (detached) so nothing running is lost. */
export const deleteWorkloadSource = (db: PrismaClient, id: string, actor: Actor) =>
  db.$transaction(async (tx) => {
    const current = await getWorkloadSource(tx, id);
    await tx.workloadSource.delete({ where: { id } });
    await recordAudit(tx, { ...actor, action: "workload-source.deleted", targetType: "workload-source", targetId: id, details: { name: current.name } });
  });

export const recordWorkloadSourcePoll = (db: Db, id: string, { at, error }: { at: Date; error: string | null }) =>
  db.workloadSource.updateMany({
    where: { id },
    data: { lastPolledAt: at, ...(error === null ? { lastOkAt: at, lastError: null } : { lastError: error.slice(0, 2000) }) },
  });
