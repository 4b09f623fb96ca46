import type { GpuProcess, GpuStatus } from "./gpu-status";
import { NvidiaSmiParseError, parseNvidiaSmiXml, type NvidiaSmiLog } from "./nvidia-smi-xml";
import { parseRocmSmiJson, RocmSmiParseError, type RocmSmiReport } from "./rocm-smi-json";
import { DEFAULT_TOOL_TIMEOUT_MS, runTool } from "./tool-runner";

export type GpuTool = "nvidia-smi" | "rocm-smi";

/** Which executables to run; null skips the tool (not installed on this rig). */
export type GpuTools = {
  nvidiaSmi: string | null;
  rocmSmi: string | null;
  timeoutMs?: number;
};

/** A tool that was meant to run but gave nothing usable; its GPUs have no readings this time. */
export type ReadingsMissing = { tool: GpuTool; command: string; reason: string };

export type RigGpus = {
  /** NVIDIA first (nvidia-smi's index order), then AMD by card number. */
  gpus: GpuStatus[];
  /** Driver-listed processes per rig index; null where the tool gave no list. */
  processes: Map<number, GpuProcess[] | null>;
  /** rocm-smi card number (`-d N`) per rig index of each AMD GPU. */
  amdCards: Map<number, number>;
  missing: ReadingsMissing[];
};

export const NVIDIA_SMI_QUERY_ARGS = ["-q", "-x"] as const;
/**
 * Only flags that every rocm-smi from ROCm 4 to 6 accepts (telegraf passes the same ones): an
 * unknown flag makes rocm-smi reject the whole call.
 */
export const ROCM_SMI_QUERY_ARGS = [
  "-i", "-t", "-P", "-M", "-f", "-u", "-c",
  "--showproductname", "--showuniqueid", "--showbus", "--showdriverversion", "--showmeminfo", "vram", "--showpids", "--json",
] as const;

type ToolRead<T> = { ok: true; value: T } | { ok: false; missing: ReadingsMissing };

/**
 * Run a tool and parse what it printed. Parseable output is used even when the exit code is not 0:
 * nvidia-smi exits non-zero when one GPU has fallen off the bus but still reports the others.
 */
const readTool = async <T>(tool: GpuTool, command: string, args: readonly string[], timeoutMs: number, parse: (text: string) => T): Promise<ToolRead<T>> => {
  const result = await runTool({ command, args, timeoutMs });
  const missing = (reason: string): ToolRead<T> => ({ ok: false, missing: { tool, command, reason } });
  if (!result.ok && (result.failure !== "EXIT_CODE" || result.stdout.trim() === "")) return missing(result.reason);
  try {
    return { ok: true, value: parse(result.stdout) };
  } catch (err) {
    if (!(err instanceof NvidiaSmiParseError || err instanceof RocmSmiParseError)) throw err;
    return missing(result.ok ? err.message : `${result.reason} (${err.message})`);
  }
};

export const readNvidiaSmi = (command: string, timeoutMs = DEFAULT_TOOL_TIMEOUT_MS) =>
  readTool("nvidia-smi", command, NVIDIA_SMI_QUERY_ARGS, timeoutMs, parseNvidiaSmiXml);

export const readRocmSmi = (command: string, timeoutMs = DEFAULT_TOOL_TIMEOUT_MS) =>
  readTool("rocm-smi", command, ROCM_SMI_QUERY_ARGS, timeoutMs, parseRocmSmiJson);

/**
 * One list for the rig. NVIDIA keeps nvidia-smi's index (what `nvidia-smi -i` and the driver's
 * process list use); AMD GPUs continue after the last NVIDIA index in card order, so indices stay
 * unique and dense on a mixed rig. rocm-smi's own card number is kept in `amdCards` for `-d N`.
 */
export const combineGpuReports = (nvidia: NvidiaSmiLog | null, rocm: RocmSmiReport | null): Omit<RigGpus, "missing"> => {
  const gpus: GpuStatus[] = [];
  const processes = new Map<number, GpuProcess[] | null>();
  const amdCards = new Map<number, number>();
  for (const gpu of nvidia?.gpus ?? []) {
    gpus.push(gpu.status);
    processes.set(gpu.status.index, gpu.processes);
  }
  const offset = gpus.length;
  for (const card of rocm?.cards ?? []) {
    const index = offset + card.status.index;
    gpus.push({ ...card.status, index });
    // rocm-smi does not say which GPU a KFD process uses: each one counts on every AMD GPU.
    processes.set(index, rocm?.processes ?? []);
    amdCards.set(index, card.card);
  }
  return { gpus, processes, amdCards };
};

/** Both tools, concurrently; a tool that fails only leaves its own GPUs out. Never throws for a tool's fault. */
export const readRigGpus = async ({ nvidiaSmi, rocmSmi, timeoutMs = DEFAULT_TOOL_TIMEOUT_MS }: GpuTools): Promise<RigGpus> => {
  const [nvidia, rocm] = await Promise.all([
    nvidiaSmi === null ? null : readNvidiaSmi(nvidiaSmi, timeoutMs),
    rocmSmi === null ? null : readRocmSmi(rocmSmi, timeoutMs),
  ]);
  const missing = [nvidia, rocm].flatMap((r) => (r && !r.ok ? [r.missing] : []));
  return { ...combineGpuReports(nvidia?.ok ? nvidia.value : null, rocm?.ok ? rocm.value : null), missing };
};
