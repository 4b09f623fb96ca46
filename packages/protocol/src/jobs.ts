import { z } from "zod";

/** BullMQ queues and their payloads, shared by whoever enqueues and the scheduler's workers. */
export const QUEUES = { commands: "commands", ledger: "ledger" } as const;

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
