import { parseEnv, ZSharedConfig } from "@rigshift/config";
import { z } from "zod";

/** The environment variables the agent reads; only main.ts passes process.env in. */
export const ZAgentEnv = ZSharedConfig.pick({ LOG_LEVEL: true }).extend({
  RIGSHIFT_AGENT_CONFIG: z.string().optional(),
});
export type AgentEnv = z.infer<typeof ZAgentEnv>;

export const loadAgentEnv = (env: Record<string, string | undefined>): AgentEnv => parseEnv(ZAgentEnv, env);
