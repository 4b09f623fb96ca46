import { hostname } from "node:os";
import { createHardwareBackendFromConfig } from "./backends/hardware-from-config";
import { createSimulatedBackend } from "./backends/simulated";
import { startAgent } from "./agent";
import { parseCli, USAGE, UsageError, type CliCommand } from "./cli/args";
import { runGpusCommand } from "./cli/gpus-command";
import { runMinerStatsCommand } from "./cli/miner-stats-command";
import { runGpuSettingsCommand } from "./cli/gpu-settings-command";
import { ConfigFileError, readConfigFile, writeConfigFile } from "./cli/config-file";
import { EnrollError, requestEnrollment } from "./cli/enroll";
import { runInstallCommand } from "./cli/install";
import { runStatusCommand } from "./cli/status";
import { StatusFileError } from "./status/status-file";
import { loadAgentEnv } from "./env";
import { createLog, type Log } from "./log";
import { AGENT_VERSION } from "./version";

/** rigshift-agent: `enroll` once, then `run` (under systemd) for good. */

const stringSeed = (text: string) => [...text].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 17);

const enroll = async (cmd: Extract<CliCommand, { command: "enroll" }>, log: Log) => {
  const { rigId, rigToken } = await requestEnrollment(cmd.server, { token: cmd.token, hostname: hostname(), agentVersion: AGENT_VERSION });
  await writeConfigFile(cmd.configPath, { server: cmd.server, rigId, rigToken, intervalS: 5, simulate: cmd.simulate });
  log.info({ rigId, configPath: cmd.configPath, simulated: cmd.simulate?.length ?? 0 }, "rig enrolled");
  process.stdout.write(`Enrolled rig ${rigId}; config written to ${cmd.configPath}\n`);
};

const run = async (cmd: Extract<CliCommand, { command: "run" }>, log: Log) => {
  const config = await readConfigFile(cmd.configPath);
  // Seeded by rig id, so two simulated rigs on one machine do not report identical GPUs.
  const backend = config.simulate
    ? createSimulatedBackend({ models: config.simulate, seed: stringSeed(config.rigId) })
    : createHardwareBackendFromConfig({ config, configPath: cmd.configPath, env: process.env, log });
  const agent = startAgent({ config, backend, log, configPath: cmd.configPath });
  const shutdown = (signal: string) => {
    log.info({ signal }, "stopping");
    agent.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "stopping failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
};

const main = async () => {
  let cmd: CliCommand;
  try {
    cmd = parseCli(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`rigshift-agent: ${err.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (cmd.command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // Before the logger: pino writes to stdout, which carries the JSON here.
  if (cmd.command === "gpus") {
    process.exitCode = await runGpusCommand(cmd.argv, {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      env: process.env,
    });
    return;
  }
  if (cmd.command === "miner-stats") {
    process.exitCode = await runMinerStatsCommand(cmd.argv, {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
    });
    return;
  }
  if (cmd.command === "set-power-limit" || cmd.command === "set-clocks") {
    process.exitCode = await runGpuSettingsCommand(cmd.command, cmd.argv, {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      env: process.env,
    });
    return;
  }
  if (cmd.command === "install" || cmd.command === "status") {
    const stdout = (text: string) => process.stdout.write(text);
    try {
      if (cmd.command === "install") await runInstallCommand(cmd, { stdout });
      else process.exitCode = await runStatusCommand(cmd, { stdout });
    } catch (err) {
      if (!(err instanceof EnrollError || err instanceof ConfigFileError || err instanceof StatusFileError)) throw err;
      process.stderr.write(`rigshift-agent: ${err.message}\n`);
      process.exit(1);
    }
    return;
  }
  let log: Log;
  try {
    log = createLog(loadAgentEnv(process.env).LOG_LEVEL);
  } catch (err) {
    process.stderr.write(`rigshift-agent: ${(err as Error).message}\n`);
    process.exit(2);
  }
  try {
    await (cmd.command === "enroll" ? enroll(cmd, log) : run(cmd, log));
  } catch (err) {
    // Expected failures get one readable line; anything else is a bug and keeps its stack.
    if (err instanceof EnrollError || err instanceof ConfigFileError) {
      process.stderr.write(`rigshift-agent: ${err.message}\n`);
    } else {
      process.stderr.write(`rigshift-agent: ${(err as Error).stack ?? String(err)}\n`);
    }
    process.exit(1);
  }
};

void main();
