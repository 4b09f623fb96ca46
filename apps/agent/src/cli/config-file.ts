import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { ZAgentConfigFile, type AgentConfigFile } from "@rigshift/config";
import { describeZodError } from "@rigshift/protocol";

/** The config file is missing, unreadable or invalid; the message says which and how to fix it. */
export class ConfigFileError extends Error {
  override name = "ConfigFileError";
}

export const readConfigFile = async (path: string): Promise<AgentConfigFile> => {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new ConfigFileError(`config file ${resolve(path)} not found; run \`rigshift-agent enroll\` first`);
    }
    throw new ConfigFileError(`cannot read config file ${resolve(path)}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigFileError(`config file ${resolve(path)} is not valid JSON`);
  }
  const parsed = ZAgentConfigFile.safeParse(json);
  if (!parsed.success) throw new ConfigFileError(`config file ${resolve(path)} is invalid: ${describeZodError(parsed.error)}`);
  return parsed.data;
};

/** Written owner-only (0600), whole or not at all: it holds the rig token. */
export const writeConfigFile = async (path: string, config: AgentConfigFile): Promise<void> => {
  const valid = ZAgentConfigFile.parse(config);
  await mkdir(dirname(resolve(path)), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode applies only to a new file; a leftover tmp could be wider.
  await chmod(tmp, 0o600);
  await rename(tmp, path);
};
