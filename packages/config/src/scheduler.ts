import { z } from "zod";
import { parseEnv, ZSharedConfig } from "./shared";

export const ZSchedulerConfig = ZSharedConfig.extend({
  /** How often a dispatched command is checked for completion or expiry. */
  COMMAND_POLL_MS: z.coerce.number().int().positive().default(1000),
  /** Cron of the ledger close; minute 5 leaves late telemetry of the past hour time to land. */
  LEDGER_CRON: z.string().default("5 * * * *"),
  /** Telemetry interval agents use; a gap longer than twice this is not counted as time in a mode. */
  TELEMETRY_INTERVAL_S: z.coerce.number().int().positive().default(5),
});
export type SchedulerConfig = z.infer<typeof ZSchedulerConfig>;
export const loadSchedulerConfig = (env: Record<string, string | undefined> = process.env) => parseEnv(ZSchedulerConfig, env);
