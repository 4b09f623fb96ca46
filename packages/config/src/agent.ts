import { z } from "zod";

/** The agent's config file, written by `enroll` / `install`. */
export const ZAgentConfigFile = z.object({
  server: z.url(),
  rigId: z.uuid(),
  rigToken: z.string().min(32),
  /** Telemetry interval. */
  intervalS: z.number().int().min(1).max(300).default(5),
  /** Simulated GPUs instead of real ones (demo, CI): models by index. */
  simulate: z.array(z.string()).nullable().default(null),
  spoolDir: z.string().optional(),
});
export type AgentConfigFile = z.infer<typeof ZAgentConfigFile>;
