import { z } from "zod";

export const PROTOCOL_VERSION = 1 as const;

/** DESIGN.md "GPU modes": the steady modes and the transitions between them. */
export const ZGpuMode = z.enum([
  "OFFLINE",
  "IDLE",
  "HASHING",
  "AI",
  "DRAINING_HASHING",
  "DRAINING_AI",
  "STARTING_HASHING",
  "STARTING_AI",
]);
export type GpuMode = z.infer<typeof ZGpuMode>;

/** Modes an operator or the planner may ask a GPU to reach. */
export const ZTargetMode = z.enum(["HASHING", "AI", "IDLE"]);
export type TargetMode = z.infer<typeof ZTargetMode>;

export const ZGpuVendor = z.enum(["NVIDIA", "AMD"]);
export type GpuVendor = z.infer<typeof ZGpuVendor>;

export const ZRole = z.enum(["ADMIN", "OPERATOR", "FINANCE", "VIEWER"]);
export type Role = z.infer<typeof ZRole>;

export const ZCommandStatus = z.enum(["QUEUED", "DISPATCHED", "RUNNING", "DONE", "FAILED", "EXPIRED"]);
export type CommandStatus = z.infer<typeof ZCommandStatus>;

export const TERMINAL_COMMAND_STATUSES: readonly CommandStatus[] = ["DONE", "FAILED", "EXPIRED"];
export const isTerminalCommandStatus = (status: CommandStatus) => TERMINAL_COMMAND_STATUSES.includes(status);

export const ZLedgerKind = z.enum(["HASHING_REVENUE", "AI_REVENUE", "ENERGY_COST"]);
export type LedgerKind = z.infer<typeof ZLedgerKind>;

/** Decimal amount on the wire: money never travels as a JS number. */
export const ZDecimalString = z.string().regex(/^-?\d+(\.\d+)?$/, "expected a decimal number as a string");
