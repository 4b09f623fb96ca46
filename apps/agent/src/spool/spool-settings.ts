import { dirname, isAbsolute, join, resolve } from "node:path";
import { ZAgentSpoolConfig, type AgentConfigFile } from "@rigshift/config";

export type SpoolSettings = { dir: string; maxBytes: number; maxAgeS: number; replayPerS: number };

/** The folder beside the config file that holds the spool (and the agent's other state). */
export const DEFAULT_SPOOL_FOLDER = "rigshift-spool";

/**
 * Where and how big the on-disk spool is, or null for the in-memory one: a dir from the config
 * file (`spool.dir`, or the older `spoolDir`), else `rigshift-spool` beside the config file when
 * its path is known (the `run` command). Relative dirs are taken from the config file's folder,
 * so the agent finds its spool whatever directory systemd starts it in.
 */
export const resolveSpoolSettings = (config: AgentConfigFile, configPath?: string): SpoolSettings | null => {
  const spool = config.spool ?? ZAgentSpoolConfig.parse({});
  const base = configPath === undefined ? process.cwd() : dirname(resolve(configPath));
  const named = spool.dir ?? config.spoolDir;
  if (named === undefined && configPath === undefined) return null;
  const dir = named === undefined ? join(base, DEFAULT_SPOOL_FOLDER) : isAbsolute(named) ? named : resolve(base, named);
  return { dir, maxBytes: spool.maxBytes, maxAgeS: spool.maxAgeS, replayPerS: spool.replayPerS };
};
