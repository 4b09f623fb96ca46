import { z } from "zod";

const MiB = 1024 * 1024;

/**
 * Where unacked telemetry waits on disk, and how much of it to keep. 256 MiB holds about a week
 * of 8-GPU samples at 5 s (~1.5 KB each), so the age bound usually binds first.
 */
export const ZAgentSpoolConfig = z.object({
  /** Relative paths are taken from the config file's folder; default: `rigshift-spool` beside it. */
  dir: z.string().min(1).optional(),
  maxBytes: z.number().int().min(1 * MiB).max(64 * 1024 * MiB).default(256 * MiB),
  /** Telemetry older than this is dropped (with a gap record): the dashboard has moved on. */
  maxAgeS: z.number().int().min(60).default(7 * 24 * 3600),
  /** Backlog replay rate after an outage, so a week of samples does not flood the gateway at once. */
  replayPerS: z.number().int().min(1).max(10_000).default(50),
});
export type AgentSpoolConfig = z.infer<typeof ZAgentSpoolConfig>;

/** The agent's config file, written by `enroll` / `install`. */
export const ZAgentConfigFile = z.object({
  server: z.url(),
  rigId: z.uuid(),
  rigToken: z.string().min(32),
  /** Telemetry interval. */
  intervalS: z.number().int().min(1).max(300).default(5),
  /** Simulated GPUs instead of real ones (demo, CI): models by index. */
  simulate: z.array(z.string()).nullable().default(null),
  /** Older name of `spool.dir`; `spool.dir` wins when both are set. */
  spoolDir: z.string().optional(),
  /** The on-disk telemetry spool. Absent: the agent picks its defaults (see ZAgentSpoolConfig). */
  spool: ZAgentSpoolConfig.optional(),
});
export type AgentConfigFile = z.infer<typeof ZAgentConfigFile>;
