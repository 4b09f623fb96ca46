import { z } from "zod";
import { PROTOCOL_VERSION, ZCommandStatus, ZGpuMode, ZTargetMode } from "../enums";
import { ZAckFailure } from "../errors";

/**
 * What to run when a GPU hashes: the miner profile. Pool, wallet and worker are optional on the
 * wire so a simulated rig needs none; a real rig refuses to start a miner without a pool.
 */
export const ZMinerAssignment = z.object({
  coin: z.string().min(1).max(16),
  algorithm: z.string().min(1).max(64),
  miner: z.string().min(1).max(64),
  poolUrl: z.string().min(1).max(512).optional(),
  wallet: z.string().min(1).max(256).optional(),
  worker: z.string().min(1).max(128).optional(),
  extraArgs: z.array(z.string().max(512)).max(64).optional(),
});
export type MinerAssignment = z.infer<typeof ZMinerAssignment>;

/**
 * What to run when a GPU does AI work: a container `image` or a process `command`, with `args`
 * and `env`. Both optional on the wire so a simulated rig needs neither.
 */
export const ZWorkloadAssignment = z.object({
  workloadId: z.uuid(),
  checkpointGraceS: z.number().int().nonnegative(),
  image: z.string().min(1).max(512).nullable().optional(),
  command: z.string().min(1).max(1024).nullable().optional(),
  args: z.array(z.string().max(4096)).max(256).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name"), z.string().max(4096)).optional(),
});
export type WorkloadAssignment = z.infer<typeof ZWorkloadAssignment>;

/** Gateway → agent: switch some of the rig's GPUs to a mode. */
export const ZSwitchCommand = z.object({
  v: z.literal(PROTOCOL_VERSION),
  id: z.uuid(),
  type: z.literal("switch"),
  mode: ZTargetMode,
  expiresAt: z.iso.datetime({ offset: true }),
  gpus: z.array(z.object({ index: z.number().int().nonnegative(), gpuId: z.uuid() })).min(1),
  miner: ZMinerAssignment.nullable(),
  workload: ZWorkloadAssignment.nullable(),
});
export type SwitchCommand = z.infer<typeof ZSwitchCommand>;

export const ZCommandAck = z.union([z.object({ ok: z.literal(true) }), ZAckFailure]);
export type CommandAck = z.infer<typeof ZCommandAck>;

/** Agent → gateway: one GPU moved a step through its state machine, or finished. */
export const ZCommandProgress = z.object({
  v: z.literal(PROTOCOL_VERSION),
  commandId: z.uuid(),
  gpuIndex: z.number().int().nonnegative(),
  status: z.enum(["RUNNING", "DONE", "FAILED"]),
  step: ZGpuMode,
  message: z.string().max(2000).nullable().default(null),
  at: z.iso.datetime({ offset: true }),
});
export type CommandProgress = z.infer<typeof ZCommandProgress>;

export const ZCommandProgressAck = z.union([z.object({ ok: z.literal(true) }), ZAckFailure]);

/** Browser-facing view of a command, in the REST API and on /live. */
export const ZCommandView = z.object({
  id: z.uuid(),
  type: z.literal("switch"),
  mode: ZTargetMode,
  status: ZCommandStatus,
  createdAt: z.iso.datetime({ offset: true }),
  expiresAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }).nullable(),
  error: z.string().nullable(),
  gpus: z.array(
    z.object({ gpuId: z.uuid(), rigId: z.uuid(), status: ZCommandStatus, step: ZGpuMode.nullable(), error: z.string().nullable() }),
  ),
  history: z.array(
    z.object({
      at: z.iso.datetime({ offset: true }),
      status: ZCommandStatus,
      gpuId: z.uuid().nullable(),
      step: ZGpuMode.nullable(),
      message: z.string().nullable(),
    }),
  ),
});
export type CommandView = z.infer<typeof ZCommandView>;
