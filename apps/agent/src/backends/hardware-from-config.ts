import { dirname, resolve } from "node:path";
import type { AgentConfigFile } from "@rigshift/config";
import { ConfigFileError } from "../cli/config-file";
import { createHardwareBackend, type HardwareBackend } from "../hardware/hardware-backend";
import { findExecutable } from "../hardware/tool-runner";
import type { Log } from "../log";
import { resolveSpoolSettings } from "../spool/spool-settings";

export type HardwareBackendFromConfigOptions = {
  config: AgentConfigFile;
  configPath: string;
  /** The agent's environment: PATH finds the GPU tools and miners; workloads inherit it. */
  env: Readonly<Record<string, string | undefined>>;
  log: Log;
};

/**
 * The `run` command's backend for a rig without `simulate`: nvidia-smi and rocm-smi from PATH,
 * miners and workloads as real processes, their per-GPU record in the spool's folder (beside the
 * config file unless the config names one), where the next agent finds it after a crash.
 */
export const createHardwareBackendFromConfig = ({ config, configPath, env, log }: HardwareBackendFromConfigOptions): HardwareBackend => {
  const nvidiaSmi = findExecutable("nvidia-smi", env.PATH);
  const rocmSmi = findExecutable("rocm-smi", env.PATH);
  if (!nvidiaSmi && !rocmSmi) {
    throw new ConfigFileError('neither nvidia-smi nor rocm-smi is on PATH: install the GPU driver tools, or enroll with --simulate "MODEL;MODEL"');
  }
  const stateDir = resolveSpoolSettings(config, configPath)?.dir ?? dirname(resolve(configPath));
  log.info({ nvidiaSmi, rocmSmi, stateDir }, "using the rig's GPUs");
  return createHardwareBackend({ nvidiaSmi, rocmSmi, stateDir, baseEnv: env, log: log.child({ component: "rig-processes" }) });
};
