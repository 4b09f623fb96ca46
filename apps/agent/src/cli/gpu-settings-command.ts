import { parseArgs } from "node:util";
import type { ClockRange, ClockSettings, ControlResult } from "../hardware/gpu-controls";
import { createHardwareBackend } from "../hardware/hardware-backend";
import { DEFAULT_TOOL_TIMEOUT_MS, findExecutable } from "../hardware/tool-runner";

/**
 * `rigshift-agent set-power-limit` and `set-clocks`: one tuning call on one GPU, by the rig index
 * `gpus` prints, through the same hardware backend the agent uses (so the GPU is found by its PCI
 * address and the tool is called with its UUID or rocm-smi card number, never a guessed index).
 */

export type GpuSettingsCommand = "set-power-limit" | "set-clocks";

const TOOLS = "[--nvidia-smi CMD] [--rocm-smi CMD] [--timeout S] [--json]";

export const GPU_SETTINGS_USAGE: Record<GpuSettingsCommand, string> = {
  "set-power-limit": `Usage: rigshift-agent set-power-limit --gpu INDEX --watts W ${TOOLS}

Set GPU INDEX's (as \`gpus\` numbers it) power limit: nvidia-smi -pl, rocm-smi --setpoweroverdrive.
Prints "ok: " or "failed: " and the tool's own words; exit 1 when it failed (needs root on a real rig).`,
  "set-clocks": `Usage: rigshift-agent set-clocks --gpu INDEX [--core MIN,MAX|reset] [--mem MIN,MAX|reset] ${TOOLS}

Lock GPU INDEX's core and/or memory clock between MIN and MAX MHz (nvidia-smi -lgc / -lmc), or give
it back to the driver with "reset" (-rgc / -rmc). NVIDIA only for now.
Prints "ok: " or "failed: " and the tool's own words; exit 1 when it failed.`,
};

export type GpuSettingsIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: { PATH?: string | undefined };
};

class UsageError extends Error {}

const OPTIONS = {
  gpu: { type: "string" },
  watts: { type: "string" },
  core: { type: "string" },
  mem: { type: "string" },
  "nvidia-smi": { type: "string" },
  "rocm-smi": { type: "string" },
  timeout: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const parseClock = (flag: string, raw: string | undefined): ClockRange | "reset" | undefined => {
  if (raw === undefined) return undefined;
  if (raw === "reset") return "reset";
  const m = /^(\d+),(\d+)$/.exec(raw.trim());
  if (!m) throw new UsageError(`--${flag} takes MIN,MAX in MHz or "reset", got "${raw}"`);
  return { minMhz: Number(m[1]), maxMhz: Number(m[2]) };
};

const parse = (command: GpuSettingsCommand, argv: readonly string[]) => {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return null;
  const foreign = command === "set-power-limit" ? (["core", "mem"] as const) : (["watts"] as const);
  for (const flag of foreign) if (values[flag] !== undefined) throw new UsageError(`--${flag} is not an option of ${command}`);
  if (values.gpu === undefined || !/^\d+$/.test(values.gpu)) throw new UsageError(`${command} needs --gpu INDEX (a whole number, as \`gpus\` prints it)`);
  for (const flag of ["nvidia-smi", "rocm-smi"] as const) if (values[flag] === "") throw new UsageError(`--${flag} needs an executable`);
  let timeoutMs = DEFAULT_TOOL_TIMEOUT_MS;
  if (values.timeout !== undefined) {
    const s = Number(values.timeout);
    if (!Number.isFinite(s) || s <= 0 || s > 600) throw new UsageError(`--timeout must be a number of seconds between 0 and 600, got "${values.timeout}"`);
    timeoutMs = Math.round(s * 1000);
  }
  let action: { kind: "power"; watts: number } | { kind: "clocks"; clocks: ClockSettings };
  if (command === "set-power-limit") {
    const watts = Number(values.watts);
    if (values.watts === undefined || values.watts.trim() === "" || !Number.isFinite(watts)) throw new UsageError("set-power-limit needs --watts W (a number)");
    action = { kind: "power", watts };
  } else {
    const core = parseClock("core", values.core);
    const mem = parseClock("mem", values.mem);
    if (core === undefined && mem === undefined) throw new UsageError("set-clocks needs --core and/or --mem");
    action = { kind: "clocks", clocks: { ...(core === undefined ? {} : { core }), ...(mem === undefined ? {} : { mem }) } };
  }
  return { index: Number(values.gpu), action, json: values.json === true, timeoutMs, nvidiaSmi: values["nvidia-smi"] ?? null, rocmSmi: values["rocm-smi"] ?? null };
};

/** Exit status: 0 the tool did it, 1 it did not (or the GPU cannot be found), 2 the command was called wrong. */
export const runGpuSettingsCommand = async (command: GpuSettingsCommand, argv: readonly string[], io: GpuSettingsIo): Promise<number> => {
  let opts: ReturnType<typeof parse>;
  try {
    opts = parse(command, argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`rigshift-agent ${command}: ${err.message}\n\n${GPU_SETTINGS_USAGE[command]}\n`);
    return 2;
  }
  if (opts === null) {
    io.stdout(`${GPU_SETTINGS_USAGE[command]}\n`);
    return 0;
  }
  // Named explicitly: run it and report if it fails. By default: only if on PATH (as `gpus` does).
  const backend = createHardwareBackend({
    nvidiaSmi: opts.nvidiaSmi ?? findExecutable("nvidia-smi", io.env.PATH),
    rocmSmi: opts.rocmSmi ?? findExecutable("rocm-smi", io.env.PATH),
    timeoutMs: opts.timeoutMs,
  });
  let result: ControlResult;
  try {
    // Fixes the rig indices the way `gpus` and the running agent number them.
    await backend.inventory();
    const { action } = opts;
    result = action.kind === "power" ? await backend.setPowerLimit(opts.index, action.watts) : await backend.setClocks(opts.index, action.clocks);
  } catch (err) {
    // inventory() throws a plain Error when neither tool gave a reading: a result to report, not a crash.
    result = { ok: false, message: (err as Error).message };
  }
  io.stdout(opts.json ? `${JSON.stringify(result)}\n` : `${result.ok ? "ok" : "failed"}: ${result.message}\n`);
  return result.ok ? 0 : 1;
};
