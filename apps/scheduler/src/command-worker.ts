import { DelayedError, type Job, type Queue } from "bullmq";
import { type CommandDispatcher, expireCommand, getCommandDelivery, type PrismaClient } from "@rigshift/db";
import { commandDeliveryJob, isTerminalCommandStatus, TERMINAL_COMMAND_STATUSES, ZCommandJob, type CommandStatus } from "@rigshift/protocol";
import type { Log } from "./log";

const DELIVERED_POLL_FACTOR = 10;

export type CommandJobResult = { commandId: string; status: CommandStatus };

/**
 * One `commands` job follows one command from its row to its end. While parts wait for their
 * rigs it publishes a dispatch (every gateway delivers to the rigs it holds), then re-checks
 * after `pollMs` by moving itself back to the delayed set; it completes when the command is
 * done or failed, or expires it once its deadline passes. Once every part is with its rig the
 * gateway records the agent's progress itself, so the job only has to notice the end or the
 * deadline: it looks again after DELIVERED_POLL_FACTOR × `pollMs`, not every `pollMs`, which at
 * fleet scale (a thousand switches under way) was a query a second per command.
 */
export const createCommandProcessor =
  ({ db, dispatch, pollMs, log, now }: { db: PrismaClient; dispatch: CommandDispatcher; pollMs: number; log: Log; now: () => Date }) =>
  async (job: Job, token?: string): Promise<CommandJobResult> => {
    const { commandId } = ZCommandJob.parse(job.data);
    const command = await getCommandDelivery(db, commandId);
    if (!command) {
      log.warn({ commandId }, "command job for a command that does not exist");
      return { commandId, status: "FAILED" };
    }
    if (isTerminalCommandStatus(command.status)) return { commandId, status: command.status };
    if (command.expiresAt <= now()) {
      await expireCommand(db, { commandId, now: now() });
      log.info({ commandId }, "command expired");
      return { commandId, status: "EXPIRED" };
    }
    const waitingRigs = command.waitingRigIds;
    if (waitingRigs.length) await dispatch({ commandId, rigIds: waitingRigs });
    const wait = waitingRigs.length ? pollMs : pollMs * DELIVERED_POLL_FACTOR;
    const nextCheck = Math.min(Date.now() + wait, Date.now() + Math.max(0, command.expiresAt.getTime() - now().getTime()) + 50);
    await job.moveToDelayed(nextCheck, token);
    throw new DelayedError();
  };

/**
 * `sweep` on the `commands` queue: every open command gets its `deliver` job back if it has none,
 * and a failed one is retried. Redis may have lost the job (it restarted; this install's Redis
 * keeps nothing on disk) or refused it when the command was written; the job may have run out of
 * attempts while the database was down. Either way, without a live job a command is never sent
 * again but on a hello, and never expires. A job still under way is left alone: its id is the
 * command's, so adding it again would add nothing anyway.
 */
export const sweepOpenCommands = async ({ db, queue, log }: { db: PrismaClient; queue: Queue; log: Log }) => {
  const open = await db.command.findMany({ where: { status: { notIn: [...TERMINAL_COMMAND_STATUSES] } }, select: { id: true } });
  const states = await Promise.all(open.map((c) => queue.getJobState(c.id)));
  const orphans = open.filter((_, i) => states[i] === "unknown").map((c) => c.id);
  const failed = open.filter((_, i) => states[i] === "failed").map((c) => c.id);
  if (orphans.length) {
    await queue.addBulk(orphans.map((id) => commandDeliveryJob(id)));
    log.warn({ commands: orphans.length }, "open commands had no delivery job; queued them again");
  }
  for (const id of failed) {
    // Gone since it was read (retention), or retried by another scheduler's sweep: the next sweep sees which.
    await (await queue.getJob(id))?.retry("failed", { resetAttemptsMade: true }).catch((err: unknown) => log.warn({ commandId: id, err }, "could not retry a failed delivery job"));
  }
  if (failed.length) log.warn({ commands: failed.length }, "open commands' delivery jobs had failed; retried them");
  return { open: open.length, requeued: orphans.length, retried: failed.length };
};
