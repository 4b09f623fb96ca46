import { DomainError, type GpuPlanningState, type PlanTarget, ZPlanTarget } from "@rigshift/protocol";
import { type Db, Prisma, type PrismaClient } from "../client";
import { recordAudit, type AuditEntry } from "./audit";

/**
 * Operator overrides of the planner, per GPU: a pin (keep this target until a time) and
 * maintenance (leave the GPU alone and do not count on it). Both are audited.
 */

type Actor = Pick<AuditEntry, "actorType" | "actorId">;

/** A manual switch pins its GPUs this long unless the operator says otherwise. */
export const DEFAULT_PIN_HOURS = 4;

const planningSelect = { id: true, pinTarget: true, pinUntil: true, maintenance: true, maintenanceNote: true } as const;

/** A stored pin target read back through the schema; a malformed one counts as no pin. */
export const readPinTarget = (json: unknown): PlanTarget | null => {
  const parsed = ZPlanTarget.safeParse(json);
  return parsed.success ? parsed.data : null;
};

const toState = (g: Prisma.GpuGetPayload<{ select: typeof planningSelect }>, now: Date): GpuPlanningState => {
  const target = readPinTarget(g.pinTarget);
  return {
    gpuId: g.id,
    pin: target && g.pinUntil && g.pinUntil > now ? { target, until: g.pinUntil.toISOString() } : null,
    maintenance: g.maintenance,
    maintenanceNote: g.maintenanceNote,
  };
};

export const getGpuPlanningState = async (db: Db, gpuId: string, now: Date) => {
  const g = await db.gpu.findUnique({ where: { id: gpuId }, select: planningSelect });
  if (!g) throw new DomainError("GPU_NOT_FOUND", `no GPU with id ${gpuId}`, { gpuId });
  return toState(g, now);
};

/** The planner's target for a switch to `mode` on what the GPU would run: the profile's coin, the workload. */
export const pinTargetFor = async (
  db: Db,
  { mode, coin, workloadId }: { mode: "HASHING" | "AI" | "IDLE"; coin?: string | null; workloadId?: string | null },
): Promise<PlanTarget> => {
  if (mode === "IDLE") return { mode: "IDLE" };
  if (mode === "AI") {
    if (!workloadId) throw new DomainError("INVALID_INPUT", "workloadId: an AI pin needs the workload", { in: "body" });
    const w = await db.aiWorkload.findUnique({ where: { id: workloadId }, select: { status: true } });
    if (!w) throw new DomainError("NOT_FOUND", `no workload with id ${workloadId}`, { workloadId });
    return { mode: "AI", workloadId };
  }
  if (!coin) throw new DomainError("INVALID_INPUT", "coin: a HASHING pin needs the coin", { in: "body" });
  const profile = await db.minerProfile.findFirst({ where: { coin }, orderBy: { createdAt: "asc" }, select: { algorithm: true } });
  if (!profile) throw new DomainError("INVALID_INPUT", `coin: no miner profile mines ${coin}`, { in: "body", coin });
  return { mode: "HASH", coin, algorithm: profile.algorithm };
};

export const pinGpus = async (db: Db, { gpuIds, target, until, actor }: { gpuIds: string[]; target: PlanTarget; until: Date; actor: Actor }) => {
  await db.gpu.updateMany({ where: { id: { in: gpuIds } }, data: { pinTarget: target, pinUntil: until } });
  for (const gpuId of gpuIds) {
    await recordAudit(db, { ...actor, action: "gpu.pinned", targetType: "gpu", targetId: gpuId, details: { target, until: until.toISOString() } });
  }
};

export const pinGpu = (db: PrismaClient, gpuId: string, { target, until, actor, now }: { target: PlanTarget; until: Date; actor: Actor; now: Date }) =>
  db.$transaction(async (tx) => {
    await getGpuPlanningState(tx, gpuId, now);
    await pinGpus(tx, { gpuIds: [gpuId], target, until, actor });
    return getGpuPlanningState(tx, gpuId, now);
  });

export const unpinGpu = (db: PrismaClient, gpuId: string, { actor, now }: { actor: Actor; now: Date }) =>
  db.$transaction(async (tx) => {
    const before = await getGpuPlanningState(tx, gpuId, now);
    await tx.gpu.update({ where: { id: gpuId }, data: { pinTarget: Prisma.DbNull, pinUntil: null } });
    await recordAudit(tx, { ...actor, action: "gpu.unpinned", targetType: "gpu", targetId: gpuId, details: { was: before.pin } as Prisma.InputJsonObject });
    return getGpuPlanningState(tx, gpuId, now);
  });

export const setGpuMaintenance = (
  db: PrismaClient,
  gpuId: string,
  { enabled, note, actor, now }: { enabled: boolean; note: string | null; actor: Actor; now: Date },
) =>
  db.$transaction(async (tx) => {
    await getGpuPlanningState(tx, gpuId, now);
    await tx.gpu.update({ where: { id: gpuId }, data: { maintenance: enabled, maintenanceNote: enabled ? note : null } });
    await recordAudit(tx, { ...actor, action: enabled ? "gpu.maintenance-on" : "gpu.maintenance-off", targetType: "gpu", targetId: gpuId, details: { note } });
    return getGpuPlanningState(tx, gpuId, now);
  });
