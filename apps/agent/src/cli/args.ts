import { parseArgs } from "node:util";
import { GPU_MODELS } from "../backends/models";

export type CliCommand =
  | { command: "enroll"; server: string; token: string; configPath: string; simulate: string[] | null }
  | { command: "run"; configPath: string }
  | { command: "install"; server: string; token: string; root: string; simulate: string[] | null }
  /** `configExplicit`: named by --config or the environment, so no fallback to the installed path. */
  | { command: "status"; configPath: string; configExplicit: boolean; json: boolean }
  /** Its options are parsed by cli/gpus-command.ts. */
  | { command: "gpus"; argv: string[] }
  /** Its options are parsed by cli/miner-stats-command.ts. */
  | { command: "miner-stats"; argv: string[] }
  /** Their options are parsed by cli/gpu-settings-command.ts. */
  | { command: "set-power-limit"; argv: string[] }
  | { command: "set-clocks"; argv: string[] }
  | { command: "help" };

/** A mistake in how the CLI was called: print usage, exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const DEFAULT_CONFIG_PATH = "./rigshift-agent.json";

export const USAGE = `Usage: rigshift-agent <command> [options]

Commands:
  enroll --server URL --token TOKEN [--config PATH] [--simulate "MODEL;MODEL;..."]
      Trade a one-time enrolment token for this rig's token and write the config file.
      --simulate runs simulated GPUs of these models instead of real ones (demo, CI);
      model names contain spaces, so separate them with ';'.
  run [--config PATH]
      Report telemetry and obey switch commands until SIGINT/SIGTERM.
  install --server URL --token TOKEN [--root DIR] [--simulate "MODEL;..."]
      Enrol, then install this file, its config and a systemd unit under DIR (default /).
  status [--config PATH] [--json]
      Whether the agent runs and is connected, its backlog and GPUs (exit 3: not running).
  gpus [--json] [--nvidia-smi CMD] [--rocm-smi CMD] [--timeout S] [--simulate ["MODEL;..."]]
      List the GPUs nvidia-smi and rocm-smi report (gpus --help for details).
  miner-stats --miner KIND --api URL [--json] [--timeout S]
      Read a running miner's API once: hashrates in H/s, shares, per-GPU sensors (miner-stats --help).
  set-power-limit --gpu INDEX --watts W [--nvidia-smi CMD] [--rocm-smi CMD]
      Set one GPU's power limit and print the tool's answer (exit 1 if it refused).
  set-clocks --gpu INDEX [--core MIN,MAX|reset] [--mem MIN,MAX|reset] [--nvidia-smi CMD]
      Lock or reset one NVIDIA GPU's core/memory clocks (set-clocks --help).

Config path: --config, else $RIGSHIFT_AGENT_CONFIG, else ${DEFAULT_CONFIG_PATH}.
Simulated models: ${GPU_MODELS.map((m) => m.name).join("; ")}`;

const OPTIONS = {
  server: { type: "string" },
  token: { type: "string" },
  config: { type: "string" },
  simulate: { type: "string" },
  root: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type OwnCommand = "enroll" | "run" | "install" | "status";
const ALLOWED: Record<OwnCommand, readonly (keyof typeof OPTIONS)[]> = {
  enroll: ["server", "token", "config", "simulate", "help"],
  run: ["config", "help"],
  install: ["server", "token", "root", "simulate", "help"],
  status: ["config", "json", "help"],
};

const parseServer = (raw: string): string => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--server must be a URL like https://rigshift.example.com, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--server must be http(s), got "${url.protocol}"`);
  return raw.replace(/\/+$/, "");
};

const parseSimulate = (raw: string): string[] => {
  const models = raw.split(";").map((m) => m.trim()).filter((m) => m.length > 0);
  if (models.length === 0) throw new UsageError("--simulate needs at least one GPU model");
  const unknown = models.filter((m) => !GPU_MODELS.some((g) => g.name === m));
  if (unknown.length > 0) throw new UsageError(`unknown simulated GPU model(s): ${unknown.map((m) => `"${m}"`).join(", ")}`);
  return models;
};

/** Turn argv (after the script name) into one command, or throw UsageError saying what is wrong. */
export const parseCli = (argv: readonly string[], env: { RIGSHIFT_AGENT_CONFIG?: string | undefined } = {}): CliCommand => {
  if (argv[0] === "gpus") return { command: "gpus", argv: argv.slice(1) };
  if (argv[0] === "miner-stats") return { command: "miner-stats", argv: argv.slice(1) };
  if (argv[0] === "set-power-limit") return { command: "set-power-limit", argv: argv.slice(1) };
  if (argv[0] === "set-clocks") return { command: "set-clocks", argv: argv.slice(1) };
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; args: string[] }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if (values.help || command === "help") return { command: "help" };
  if (command === undefined) throw new UsageError("missing command");
  if (!Object.hasOwn(ALLOWED, command)) throw new UsageError(`unknown command "${command}"`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const stray = (Object.keys(values) as (keyof typeof OPTIONS)[]).filter((k) => !ALLOWED[command as OwnCommand].includes(k));
  if (stray.length > 0) throw new UsageError(`--${stray[0]} is not an option of ${command}`);

  const configPath = values.config ?? env.RIGSHIFT_AGENT_CONFIG ?? DEFAULT_CONFIG_PATH;
  if (command === "run") return { command, configPath };
  if (command === "status") {
    return { command, configPath, configExplicit: values.config !== undefined || env.RIGSHIFT_AGENT_CONFIG !== undefined, json: values.json ?? false };
  }
  if (!values.server) throw new UsageError(`${command} needs --server URL`);
  if (!values.token) throw new UsageError(`${command} needs --token TOKEN`);
  if (command === "install") {
    if (values.root === "") throw new UsageError("--root needs a directory");
    return {
      command,
      server: parseServer(values.server),
      token: values.token,
      root: values.root ?? "/",
      simulate: values.simulate === undefined ? null : parseSimulate(values.simulate),
    };
  }
  return {
    command: "enroll",
    server: parseServer(values.server),
    token: values.token,
    configPath,
    simulate: values.simulate === undefined ? null : parseSimulate(values.simulate),
  };
};
