import { z } from "zod";

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

export const ZLedgerJob = z.object({
  /** Hour to book (its start, UTC). Absent: the last full hour. */
  hourStart: z.iso.datetime({ offset: true }).optional(),
});
export type LedgerJob = z.infer<typeof ZLedgerJob>;

/** Redis pub/sub channel on which gateways learn a command is waiting for a rig. */
export const COMMAND_DISPATCH_CHANNEL = "commands:dispatch";
export const ZCommandDispatch = z.object({ commandId: z.uuid(), rigIds: z.array(z.uuid()) });
export type CommandDispatch = z.infer<typeof ZCommandDispatch>;

/** `poll` jobs of market-sources / workload-sources name their source; the repeatable `sweep` job carries nothing. */
export const ZSourcePollJob = z.object({ sourceId: z.uuid() });
export type SourcePollJob = z.infer<typeof ZSourcePollJob>;
