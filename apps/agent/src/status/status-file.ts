import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { AgentConfigFile } from "@rigshift/config";
import { describeZodError, ZGpuMode } from "@rigshift/protocol";
import { z } from "zod";
import { resolveSpoolSettings } from "../spool/spool-settings";

/**
 * What the running agent tells `rigshift-agent status` (another process, maybe another user):
 * rewritten every telemetry interval, so a stale `updatedAt` means the agent is gone or stuck.
 */
export const ZAgentStatus = z.object({
  pid: z.number().int().positive(),
  startedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  server: z.string(),
  rigId: z.string(),
  /** Connected to the gateway and greeted. */
  connected: z.boolean(),
  /**
   * Highest telemetry seq the gateway confirmed storing; null before any. Any integer, as in the
   * hello ack: history loaded below the agent's first seq (the demo farm's backfill) is negative.
   */
  lastAckedSeq: z.number().int().nullable(),
  /** Telemetry messages waiting for an ack (the backlog after an outage). */
  spooledMessages: z.number().int().nonnegative(),
  gpus: z.array(z.object({ index: z.number().int().nonnegative(), model: z.string().nullable(), mode: ZGpuMode })),
});
export type AgentStatus = z.infer<typeof ZAgentStatus>;

/** The status file exists but cannot be read or is not a status; the message says which. */
export class StatusFileError extends Error {
  override name = "StatusFileError";
}

export const STATUS_FILE_SUFFIX = ".status.json";
export const STATUS_FILE_NAME = "agent.status.json";

/**
 * Where the agent writes its status, so `run` and `status` agree from the same config file.
 * Beside the config file (`<config>.status.json`) unless the config names a spool dir: then in
 * it, because under the systemd unit (ProtectSystem=strict) /etc is read-only to the agent and
 * the spool dir is the one place it may write.
 */
export const agentStatusPath = (configPath: string, config: Pick<AgentConfigFile, "spool" | "spoolDir">): string => {
  if (config.spool?.dir === undefined && config.spoolDir === undefined) return `${resolve(configPath)}${STATUS_FILE_SUFFIX}`;
  const settings = resolveSpoolSettings(config as AgentConfigFile, configPath);
  return join(settings!.dir, STATUS_FILE_NAME);
};

/**
 * Replace the status file whole (temp file + rename): a reader never sees half a file. World-
 * readable on purpose: it holds no secret, and an operator runs `status` as themselves.
 */
export const writeAgentStatus = async (path: string, status: AgentStatus): Promise<void> => {
  const valid = ZAgentStatus.parse(status);
  await mkdir(dirname(resolve(path)), { recursive: true });
  // Random suffix: two writes in flight (a slow disk, one interval overtaking the last) must not share a temp file.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(valid)}\n`, { mode: 0o644 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
};

/** The status the agent last wrote, or null when there is no status file (agent never ran, or stopped cleanly). */
export const readAgentStatus = async (path: string): Promise<AgentStatus | null> => {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new StatusFileError(`cannot read status file ${resolve(path)}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StatusFileError(`status file ${resolve(path)} is not valid JSON`);
  }
  const parsed = ZAgentStatus.safeParse(json);
  if (!parsed.success) throw new StatusFileError(`status file ${resolve(path)} is invalid: ${describeZodError(parsed.error)}`);
  return parsed.data;
};

/** Remove the status file on a clean stop, so `status` says "not running" at once instead of after 3 intervals. */
export const removeAgentStatus = (path: string): Promise<void> => rm(path, { force: true });
