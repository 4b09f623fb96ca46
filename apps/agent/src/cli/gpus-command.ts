import { parseArgs } from "node:util";
import { GPU_MODELS } from "../backends/models";
import { createSimulatedBackend } from "../backends/simulated";
import type { GpuStatus } from "../hardware/gpu-status";
import { readRigGpus, type ReadingsMissing } from "../hardware/read-gpus";
import { DEFAULT_TOOL_TIMEOUT_MS, findExecutable } from "../hardware/tool-runner";

export const GPUS_USAGE = `Usage: rigshift-agent gpus [--json] [--nvidia-smi CMD] [--rocm-smi CMD] [--timeout SECONDS] [--simulate ["MODEL;MODEL"]]

List the rig's GPUs as nvidia-smi -q -x and rocm-smi --json report them: NVIDIA first, by
nvidia-smi index; AMD after them, by rocm-smi card number. Null (or "-") where the tool does not say.
  --json            print a JSON array instead of a table
  --nvidia-smi CMD  nvidia-smi executable (default: nvidia-smi on PATH, skipped when absent)
  --rocm-smi CMD    rocm-smi executable (default: rocm-smi on PATH, skipped when absent)
  --timeout S       kill a tool that has not answered after S seconds (default ${DEFAULT_TOOL_TIMEOUT_MS / 1000})
  --simulate        the simulated GPUs instead (default: one of each simulated model)
A tool that fails or hangs is reported on stderr and its GPUs are left out; the exit code is 0.`;

export type GpusCommandIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: { PATH?: string | undefined };
};

const OPTIONS = {
  json: { type: "boolean" },
  "nvidia-smi": { type: "string" },
  "rocm-smi": { type: "string" },
  timeout: { type: "string" },
  simulate: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type GpusOptions = {
  json: boolean;
  nvidiaSmi: string | null;
  rocmSmi: string | null;
  timeoutMs: number;
  simulate: string[] | null;
};

class GpusUsageError extends Error {}

const parseGpusArgs = (argv: readonly string[]): GpusOptions | "help" => {
  // `--simulate` may stand alone (default models) or take a list like `enroll --simulate`.
  const args = [...argv];
  const at = args.indexOf("--simulate");
  if (at >= 0 && (args[at + 1] === undefined || args[at + 1]!.startsWith("-"))) args.splice(at + 1, 0, GPU_MODELS.map((m) => m.name).join(";"));
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; args: string[] }>>["values"];
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new GpusUsageError((err as Error).message);
  }
  if (values.help) return "help";
  let timeoutMs = DEFAULT_TOOL_TIMEOUT_MS;
  if (values.timeout !== undefined) {
    const s = Number(values.timeout);
    if (!Number.isFinite(s) || s <= 0 || s > 600) throw new GpusUsageError(`--timeout must be a number of seconds between 0 and 600, got "${values.timeout}"`);
    timeoutMs = Math.round(s * 1000);
  }
  let simulate: string[] | null = null;
  if (values.simulate !== undefined) {
    if (values["nvidia-smi"] !== undefined || values["rocm-smi"] !== undefined) throw new GpusUsageError("--simulate cannot be combined with --nvidia-smi or --rocm-smi");
    simulate = values.simulate.split(";").map((m) => m.trim()).filter((m) => m !== "");
    const unknown = simulate.filter((m) => !GPU_MODELS.some((g) => g.name === m));
    if (simulate.length === 0) throw new GpusUsageError("--simulate needs at least one GPU model");
    if (unknown.length > 0) throw new GpusUsageError(`unknown simulated GPU model(s): ${unknown.map((m) => `"${m}"`).join(", ")}`);
  }
  for (const flag of ["nvidia-smi", "rocm-smi"] as const) {
    if (values[flag] === "") throw new GpusUsageError(`--${flag} needs an executable`);
  }
  return { json: values.json ?? false, nvidiaSmi: values["nvidia-smi"] ?? null, rocmSmi: values["rocm-smi"] ?? null, timeoutMs, simulate };
};

const readSimulated = async (models: string[]): Promise<GpuStatus[]> => {
  const backend = createSimulatedBackend({ models });
  const [inventory, readings] = await Promise.all([backend.inventory(), backend.sample(new Date())]);
  return inventory.map((gpu) => {
    const reading = readings.find((r) => r.index === gpu.index);
    return {
      index: gpu.index,
      uuid: gpu.uuid,
      pciBusId: gpu.pciBusId,
      vendor: gpu.vendor === "NVIDIA" ? "nvidia" : "amd",
      model: gpu.model,
      vramMb: gpu.vramMb,
      vramUsedMb: reading?.vramUsedMb ?? null,
      tempC: reading?.tempC ?? null,
      powerW: reading?.powerW ?? null,
      powerLimitW: null,
      fanPct: reading?.fanPct ?? null,
      utilPct: reading?.utilPct ?? null,
      coreClockMhz: null,
      memClockMhz: null,
      driverVersion: null,
    };
  });
};

const dash = (value: number | string | null, unit = "") => (value === null ? "-" : `${value}${unit}`);
const pair = (a: number | null, b: number | null, unit: string) => (a === null && b === null ? "-" : `${dash(a)}/${dash(b)}${unit}`);

/** A table a person reads over ssh; the column set follows the JSON keys. */
export const formatGpuTable = (gpus: readonly GpuStatus[]): string => {
  if (gpus.length === 0) return "No GPUs found.\n";
  const header = ["IDX", "VENDOR", "MODEL", "PCI BUS", "VRAM USED/TOTAL", "TEMP", "POWER/LIMIT", "FAN", "UTIL", "CORE/MEM", "DRIVER"];
  const rows = gpus.map((g) => [
    String(g.index),
    g.vendor,
    dash(g.model),
    dash(g.pciBusId),
    pair(g.vramUsedMb, g.vramMb, " MiB"),
    dash(g.tempC, " C"),
    pair(g.powerW, g.powerLimitW, " W"),
    dash(g.fanPct, "%"),
    dash(g.utilPct, "%"),
    pair(g.coreClockMhz, g.memClockMhz, " MHz"),
    dash(g.driverVersion),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n") + "\n";
};

/** `rigshift-agent gpus`: 0 whatever the tools did (no GPUs prints []), 1 on bad arguments. */
export const runGpusCommand = async (argv: readonly string[], io: GpusCommandIo): Promise<number> => {
  let options: GpusOptions | "help";
  try {
    options = parseGpusArgs(argv);
  } catch (err) {
    if (!(err instanceof GpusUsageError)) throw err;
    io.stderr(`rigshift-agent gpus: ${err.message}\n\n${GPUS_USAGE}\n`);
    return 1;
  }
  if (options === "help") {
    io.stdout(`${GPUS_USAGE}\n`);
    return 0;
  }

  let gpus: GpuStatus[];
  let missing: ReadingsMissing[] = [];
  if (options.simulate) {
    gpus = await readSimulated(options.simulate);
  } else {
    // Named explicitly: run it and report if it is not there. By default: only if on PATH.
    const tool = (given: string | null, name: string) => given ?? findExecutable(name, io.env.PATH);
    const read = await readRigGpus({
      nvidiaSmi: tool(options.nvidiaSmi, "nvidia-smi"),
      rocmSmi: tool(options.rocmSmi, "rocm-smi"),
      timeoutMs: options.timeoutMs,
    });
    gpus = read.gpus;
    missing = read.missing;
  }
  for (const m of missing) io.stderr(`rigshift-agent gpus: ${m.tool} readings missing: ${m.reason}\n`);
  io.stdout(options.json ? `${JSON.stringify(gpus, null, 2)}\n` : formatGpuTable(gpus));
  return 0;
};
