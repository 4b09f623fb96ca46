import { DelayedError, type Job } from "bullmq";
import { type CommandDispatcher, expireCommand, type PrismaClient } from "@rigshift/db";
import { isTerminalCommandStatus, ZCommandJob, type CommandStatus } from "@rigshift/protocol";
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
    const command = await db.command.findUnique({
      where: { id: commandId },
      select: { status: true, expiresAt: true, gpus: { where: { status: "QUEUED" }, select: { rigId: true } } },
    });
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
    const waitingRigs = [...new Set(command.gpus.map((g) => g.rigId))];
    if (waitingRigs.length) await dispatch({ commandId, rigIds: waitingRigs });
    const wait = waitingRigs.length ? pollMs : pollMs * DELIVERED_POLL_FACTOR;
    const nextCheck = Math.min(Date.now() + wait, Date.now() + Math.max(0, command.expiresAt.getTime() - now().getTime()) + 50);
    await job.moveToDelayed(nextCheck, token);
    throw new DelayedError();
  };
