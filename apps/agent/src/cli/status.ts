import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describeAgentStatus, formatAgentStatus, isProcessAlive } from "../status/describe-agent-status";
import { agentStatusPath, readAgentStatus } from "../status/status-file";
import type { CliCommand } from "./args";
import { readConfigFile } from "./config-file";
import { INSTALLED_CONFIG_PATH } from "./install";

export type StatusCommandIo = {
  stdout: (text: string) => void;
  now?: () => Date;
  isProcessAlive?: (pid: number) => boolean;
  /** Where `install` put the config on this machine (tests point it elsewhere). */
  installedConfigPath?: string;
};

/** Exit code of `status`: scripts and monitoring can tell a running agent without parsing text. */
export const STATUS_EXIT = { RUNNING: 0, NOT_RUNNING: 3 } as const;

/**
 * `rigshift-agent status`: the config says which rig and server; the status file the running agent
 * rewrites every interval says whether it runs, is connected, and what it sees. Config errors
 * throw ConfigFileError (exit 1, one line) like `run`.
 */
export const runStatusCommand = async (cmd: Extract<CliCommand, { command: "status" }>, io: StatusCommandIo): Promise<number> => {
  let configPath = cmd.configPath;
  // On an installed rig an operator types plain `rigshift-agent status`: find the installed config.
  const installed = io.installedConfigPath ?? INSTALLED_CONFIG_PATH;
  if (!cmd.configExplicit && !existsSync(configPath) && existsSync(installed)) configPath = installed;
  const config = await readConfigFile(configPath);
  const statusPath = agentStatusPath(configPath, config);
  const report = describeAgentStatus({
    status: await readAgentStatus(statusPath),
    config,
    configPath: resolve(configPath),
    statusPath,
    now: (io.now ?? (() => new Date()))(),
    isProcessAlive: io.isProcessAlive ?? isProcessAlive,
  });
  io.stdout(cmd.json ? `${JSON.stringify(report, null, 2)}\n` : formatAgentStatus(report));
  return report.running ? STATUS_EXIT.RUNNING : STATUS_EXIT.NOT_RUNNING;
};
