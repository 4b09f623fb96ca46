import { z } from "zod";
import { ZSwitchCommand } from "./messages/command";

/** BullMQ queues and their payloads, shared by whoever enqueues and the scheduler's workers. */
export const QUEUES = {
  commands: "commands",
  ledger: "ledger",
  /** Every PLAN_INTERVAL_MS: the planner's run over the whole fleet. */
  plan: "plan",
  /** HTTP JSON market sources (coins, FX, site energy prices), one job per source and poll. */
  marketSources: "market-sources",
  /** External marketplaces' job feeds, one job per source and poll. */
  workloadSources: "workload-sources",
} as const;

export const ZCommandJob = z.object({ commandId: z.uuid() });
export type CommandJob = z.infer<typeof ZCommandJob>;

/**
 * The API sends a switch's first dispatch itself, with each rig's message, so the job of such a
 * command first looks after this long, when the rigs have mostly acked. Run at once, it published a
 * second dispatch of every command while the first was being acked (one of the job's three runs per
 * switch), and a gateway whose rig had acked by then read the command back for nothing. A rig that
 * missed the first dispatch waits this long more.
 */
export const API_COMMAND_FIRST_CHECK_MS = 1_000;

/**
 * The `deliver` job that follows one command to its end (the scheduler's command-worker). Its id
 * is the command's, so whoever adds it again (a retried request, the scheduler's sweep) adds nothing.
 * A run that fails (the database or Redis away for a moment) is tried again after 1, 2, 4, 8 s;
 * one that fails past that waits for the scheduler's sweep, which retries it while the command is open.
 * `delayMs` holds its first run back (API_COMMAND_FIRST_CHECK_MS where the first dispatch went out already).
 */
export const commandDeliveryJob = (commandId: string, { delayMs = 0 }: { delayMs?: number } = {}) => ({
  name: "deliver",
  data: { commandId } satisfies CommandJob,
  opts: { jobId: commandId, delay: delayMs, attempts: 5, backoff: { type: "exponential", delay: 1000 }, removeOnComplete: 1000, removeOnFail: 1000 },
});

export const ZLedgerJob = z.object({
  /** Hour to book (its start, UTC). Absent: the last full hour. */
  hourStart: z.iso.datetime({ offset: true }).optional(),
});
export type LedgerJob = z.infer<typeof ZLedgerJob>;

/** Redis pub/sub channel on which gateways learn a command is waiting for a rig. */
export const COMMAND_DISPATCH_CHANNEL = "commands:dispatch";
/** A rig's switch message, ready to send. */
export const ZRigSwitch = z.object({ rigId: z.uuid(), command: ZSwitchCommand });
export type RigSwitch = z.infer<typeof ZRigSwitch>;

/**
 * `commands`, when present, holds each rig's message: the API's first dispatch carries what it has
 * just written, so a gateway sends it without reading it back. The scheduler's repeats name the
 * command only, and gateways read what is still open.
 */
export const ZCommandDispatch = z
  .object({ commandId: z.uuid(), rigIds: z.array(z.uuid()), commands: z.array(ZRigSwitch).optional() })
  .superRefine((d, ctx) => {
    d.commands?.forEach((c, i) => {
      if (c.command.id !== d.commandId) ctx.addIssue({ code: "custom", path: ["commands", i, "command", "id"], message: `is not the dispatched command ${d.commandId}` });
      if (!d.rigIds.includes(c.rigId)) ctx.addIssue({ code: "custom", path: ["commands", i, "rigId"], message: `is not one of the dispatch's rigIds` });
    });
  });
export type CommandDispatch = z.infer<typeof ZCommandDispatch>;

/** `poll` jobs of market-sources / workload-sources name their source; the repeatable `sweep` job carries nothing. */
export const ZSourcePollJob = z.object({ sourceId: z.uuid() });
export type SourcePollJob = z.infer<typeof ZSourcePollJob>;
