import { Decimal } from "@rigshift/economics";
import type { GpuDecision, Target } from "@rigshift/planner";
import { type PlanDecisionView, type PlanPreview, type PlanTarget, type PlanView, ZPlanSkip, ZPlanTarget, ZPlanUnplaced } from "@rigshift/protocol";
import type { Db, PrismaClient } from "../client";
import type { Prisma } from "../generated/prisma/client";
import { recordAudit } from "./audit";
import type { FleetPlan } from "./plan-fleet";
import { type FleetSnapshot, PLANNER_STATE_ID } from "./plan-input";
import { OPEN_WORKLOAD_STATUSES } from "./workloads";

/**
 * Recording a plan: the commands it issues (through the same Command rows and lifecycle as a
 * manual switch, source PLANNER), the plan with every GPU's decision, the planner's memory and
 * the workloads' placement, all in one transaction so a crash leaves either the whole plan or none.
 */

const keyOf = (t: Target) => (t.mode === "IDLE" ? "IDLE" : t.mode === "HASH" ? `HASH:${t.coin}` : `AI:${t.workloadId}`);
const MODE = { IDLE: "IDLE", HASH: "HASHING", AI: "AI" } as const;

/** A planner score (float USD/h) as the decimal that is stored and shown, 8 places. */
const usd = (x: number) => (Number.isFinite(x) ? new Decimal(x).toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN).toFixed(8) : "0.00000000");

export type RecordPlanOptions = { now: Date; durationMs: number; commandTtlS: number };
export type RecordedPlan = { planId: string; commandIds: string[]; heldBack: FleetPlan["heldBack"] };

export const recordPlan = (db: PrismaClient, snapshot: FleetSnapshot, result: FleetPlan, { now, durationMs, commandTtlS }: RecordPlanOptions) =>
  db.$transaction(
    async (tx): Promise<RecordedPlan> => {
      const heldBack = [...result.heldBack];
      const commandIds: string[] = [];
      const commandOfGpu = new Map<string, string>();
      const wanted = result.commands.flatMap((c) => c.gpuIds);
      // Re-checked inside the transaction: an operator's switch may have landed since the snapshot.
      const busy = new Set(
        (
          await tx.commandGpu.findMany({
            where: { gpuId: { in: wanted }, status: { in: ["QUEUED", "DISPATCHED", "RUNNING"] }, command: { status: { in: ["QUEUED", "DISPATCHED", "RUNNING"] }, expiresAt: { gt: now } } },
            select: { gpuId: true },
          })
        ).map((p) => p.gpuId),
      );
      const rigOf = new Map(snapshot.gpus.map((g) => [g.id, g.rigId]));
      for (const c of result.commands) {
        const gpuIds = c.gpuIds.filter((id) => {
          if (busy.has(id)) heldBack.push({ gpuId: id, reason: "a command for it was created while planning" });
          return !busy.has(id);
        });
        if (!gpuIds.length) continue;
        const profile = c.target.mode === "HASH" ? snapshot.profileByCoin.get(c.target.coin) : undefined;
        if (c.target.mode === "HASH" && !profile) {
          for (const id of gpuIds) heldBack.push({ gpuId: id, reason: `no miner profile mines ${c.target.coin}` });
          continue;
        }
        const mode = MODE[c.target.mode];
        const command = await tx.command.create({
          data: {
            type: "SWITCH",
            mode,
            source: "PLANNER",
            createdAt: now,
            expiresAt: new Date(now.getTime() + commandTtlS * 1000),
            gpus: {
              create: gpuIds.map((gpuId) => ({
                gpuId,
                rigId: rigOf.get(gpuId)!,
                minerProfileId: profile?.id ?? null,
                workloadId: c.target.mode === "AI" ? c.target.workloadId : null,
              })),
            },
            events: { create: { status: "QUEUED", at: now, message: `planner: ${c.reason}`.slice(0, 2000) } },
          },
          select: { id: true },
        });
        await tx.gpu.updateMany({ where: { id: { in: gpuIds } }, data: { desiredMode: mode } });
        await recordAudit(tx, {
          actorType: "SYSTEM", action: "command.created", targetType: "command", targetId: command.id,
          details: { mode, gpuIds, source: "PLANNER", target: c.target as Prisma.InputJsonObject, reason: c.reason },
        });
        commandIds.push(command.id);
        for (const id of gpuIds) commandOfGpu.set(id, command.id);
      }

      const plan = await tx.plan.create({
        data: {
          at: now,
          durationMs: Math.round(durationMs),
          gpuCount: result.decisions.length,
          commandCount: commandIds.length,
          placements: result.placements,
          skipped: snapshot.skipped,
          unplaced: result.unplaced,
        },
        select: { id: true },
      });
      await tx.planDecision.createMany({
        data: result.decisions.map((d) => ({
          planId: plan.id,
          gpuId: d.gpuId,
          current: d.current as Prisma.InputJsonObject,
          target: d.target as Prisma.InputJsonObject,
          changed: keyOf(d.current) !== keyOf(d.target),
          binding: d.binding,
          reason: d.reason,
          hashCoin: d.options.hash?.coin ?? null,
          hashUsdPerHour: d.options.hash ? usd(d.options.hash.usdPerHour) : null,
          aiWorkloadId: d.options.ai?.workloadId ?? null,
          aiUsdPerHour: d.options.ai ? usd(d.options.ai.usdPerHour) : null,
          idleUsdPerHour: usd(d.options.idleUsdPerHour),
          commandId: commandOfGpu.get(d.gpuId) ?? null,
        })),
      });

      const state = {
        memory: result.memory as unknown as Prisma.InputJsonObject,
        curtailment: snapshot.nextState.curtailment as unknown as Prisma.InputJsonObject,
        gpuSince: snapshot.nextState.gpuSince as unknown as Prisma.InputJsonObject,
      };
      await tx.plannerState.upsert({ where: { id: PLANNER_STATE_ID }, create: { id: PLANNER_STATE_ID, ...state }, update: state });

      await updateWorkloadPlacement(tx, snapshot, result, now);
      return { planId: plan.id, commandIds, heldBack };
    },
    { timeout: 60_000 },
  );

/** Work runs where a GPU runs it; else PLACED where the plan put it; else PENDING; DONE once its hours are up. */
const updateWorkloadPlacement = async (db: Db, snapshot: FleetSnapshot, result: FleetPlan, now: Date) => {
  const running = new Set(snapshot.gpus.flatMap((g) => (g.current.mode === "AI" ? [g.current.workloadId] : [])));
  if (snapshot.finishedWorkloadIds.length) {
    await db.aiWorkload.updateMany({ where: { id: { in: snapshot.finishedWorkloadIds }, status: "RUNNING" }, data: { status: "DONE", finishedAt: now, placedGpuIds: [] } });
  }
  const placement = new Map(result.placements.map((p) => [p.workloadId, p.gpuIds]));
  const open = await db.aiWorkload.findMany({
    where: { status: { in: [...OPEN_WORKLOAD_STATUSES] }, id: { notIn: snapshot.finishedWorkloadIds } },
    select: { id: true, status: true, placedGpuIds: true, startedAt: true },
  });
  for (const w of open) {
    const gpuIds = placement.get(w.id) ?? [];
    const status = running.has(w.id) ? "RUNNING" : gpuIds.length ? "PLACED" : "PENDING";
    const same = w.status === status && w.placedGpuIds.length === gpuIds.length && w.placedGpuIds.every((id, i) => id === gpuIds[i]);
    if (same) continue;
    await db.aiWorkload.update({
      where: { id: w.id },
      data: {
        status,
        placedGpuIds: gpuIds,
        ...(status === "PLACED" && w.status !== "PLACED" ? { placedAt: now } : {}),
        ...(status === "RUNNING" && !w.startedAt ? { startedAt: now } : {}),
      },
    });
  }
};

/** Plans older than `before` go (their decisions with them): a plan a minute adds up. */
export const deletePlansBefore = (db: Db, before: Date) => db.plan.deleteMany({ where: { at: { lt: before } } });

const readTarget = (json: unknown): PlanTarget => {
  const parsed = ZPlanTarget.safeParse(json);
  return parsed.success ? parsed.data : { mode: "IDLE" };
};

const decisionOf = (d: GpuDecision, commandId: string | null): PlanDecisionView => ({
  gpuId: d.gpuId,
  current: d.current,
  target: d.target,
  changed: keyOf(d.current) !== keyOf(d.target),
  binding: d.binding,
  reason: d.reason,
  options: {
    hash: d.options.hash ? { coin: d.options.hash.coin, usdPerHour: usd(d.options.hash.usdPerHour) } : null,
    ai: d.options.ai ? { workloadId: d.options.ai.workloadId, usdPerHour: usd(d.options.ai.usdPerHour) } : null,
    idleUsdPerHour: usd(d.options.idleUsdPerHour),
  },
  commandId,
});

/** The newest recorded plan with every GPU's decision, or null before the first plan. */
export const findLatestPlanView = async (db: Db): Promise<PlanView | null> => {
  const plan = await db.plan.findFirst({
    orderBy: { at: "desc" },
    select: {
      id: true, at: true, durationMs: true, gpuCount: true, commandCount: true, placements: true, skipped: true, unplaced: true,
      decisions: {
        select: {
          gpuId: true, current: true, target: true, changed: true, binding: true, reason: true, hashCoin: true, hashUsdPerHour: true,
          aiWorkloadId: true, aiUsdPerHour: true, idleUsdPerHour: true, commandId: true,
        },
        orderBy: { gpuId: "asc" },
      },
    },
  });
  if (!plan) return null;
  return {
    id: plan.id,
    at: plan.at.toISOString(),
    durationMs: plan.durationMs,
    gpuCount: plan.gpuCount,
    commandCount: plan.commandCount,
    placements: Array.isArray(plan.placements) ? (plan.placements as { workloadId: string; gpuIds: string[] }[]) : [],
    skipped: ZPlanSkip.array().catch([]).parse(plan.skipped),
    unplaced: ZPlanUnplaced.array().catch([]).parse(plan.unplaced),
    decisions: plan.decisions.map((d) => ({
      gpuId: d.gpuId,
      current: readTarget(d.current),
      target: readTarget(d.target),
      changed: d.changed,
      binding: d.binding,
      reason: d.reason,
      options: {
        hash: d.hashCoin && d.hashUsdPerHour ? { coin: d.hashCoin, usdPerHour: d.hashUsdPerHour.toFixed(8) } : null,
        ai: d.aiWorkloadId && d.aiUsdPerHour ? { workloadId: d.aiWorkloadId, usdPerHour: d.aiUsdPerHour.toFixed(8) } : null,
        idleUsdPerHour: d.idleUsdPerHour.toFixed(8),
      },
      commandId: d.commandId,
    })),
  };
};

/** "What if": the plan as it would be made now, nothing recorded or commanded. */
export const toPlanPreview = (snapshot: FleetSnapshot, result: FleetPlan, now: Date): PlanPreview => ({
  at: now.toISOString(),
  gpuCount: result.decisions.length,
  placements: result.placements,
  skipped: snapshot.skipped,
  unplaced: result.unplaced,
  decisions: result.decisions.map((d) => decisionOf(d, null)),
  commands: result.commands.map((c) => ({ gpuIds: c.gpuIds, target: c.target, reason: c.reason })),
  heldBack: result.heldBack,
});
