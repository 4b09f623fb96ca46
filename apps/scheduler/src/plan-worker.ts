import type { Queue } from "bullmq";
import { deletePlansBefore, type GpuLiveStore, loadFleetSnapshot, planFleet, type PrismaClient, recordPlan } from "@rigshift/db";
import { plan } from "@rigshift/planner";
import { commandDeliveryJob } from "@rigshift/protocol";
import type { Log } from "./log";

const HOUR_MS = 3_600_000;

export type PlanJobOptions = {
  db: PrismaClient;
  live: GpuLiveStore;
  commandsQueue: Queue;
  commandTtlS: number;
  retentionHours: number;
  learnDays: number;
  log: Log;
  now: () => Date;
};

/**
 * `plan`: load the fleet snapshot, run the planner, record the plan with every GPU's decision
 * and issue its commands (source PLANNER) in one transaction, then hand each command to the
 * `commands` queue for delivery, exactly as a manual switch is delivered.
 */
export const createPlanProcessor = ({ db, live, commandsQueue, commandTtlS, retentionHours, learnDays, log, now }: PlanJobOptions) => async () => {
  const at = now();
  const started = performance.now();
  const snapshot = await loadFleetSnapshot(db, live, { now: at, learnDays });
  const result = planFleet(snapshot, plan);
  const recorded = await recordPlan(db, snapshot, result, { now: at, durationMs: performance.now() - started, commandTtlS });
  for (const commandId of recorded.commandIds) {
    const job = commandDeliveryJob(commandId);
    try {
      await commandsQueue.add(job.name, job.data, job.opts);
    } catch (err) {
      // The command row stands; the scheduler's sweep gives it its job back once Redis takes it.
      log.error({ err, commandId }, "planner command saved but not queued for delivery");
    }
  }
  await deletePlansBefore(db, new Date(at.getTime() - retentionHours * HOUR_MS));
  const summary = {
    planId: recorded.planId,
    gpus: result.decisions.length,
    commands: recorded.commandIds.length,
    heldBack: recorded.heldBack.length,
    skippedGpus: snapshot.skipped.reduce((n, s) => n + s.gpuIds.length, 0),
  };
  log.info(summary, "plan recorded");
  return summary;
};
