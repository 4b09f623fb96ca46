import { open, readFile, rename, writeFile } from "node:fs/promises";
import { z } from "zod";

/** The folder-relative name of the per-GPU state file, kept beside the spool. */
export const GPU_STATE_FILE = "gpu-state.json";

/**
 * What the agent last did to one GPU's work. Written before it starts something (phase
 * "starting", then "running" with the pid) and around stopping it ("stopping", then no run):
 * a restarted agent reads it to find work the driver does not list yet, or a drain it left half done.
 */
export const ZRecordedRun = z.object({
  kind: z.enum(["miner", "workload"]),
  /** The workload id, or the miner's name. */
  id: z.string().min(1),
  pid: z.number().int().positive().nullable(),
  phase: z.enum(["starting", "running", "stopping"]),
  since: z.iso.datetime({ offset: true }),
});
export type RecordedRun = z.infer<typeof ZRecordedRun>;

const ZGpuStateFile = z.object({
  v: z.literal(1),
  /** By GPU index; null: the agent left nothing running there. */
  gpus: z.record(z.string().regex(/^\d+$/), ZRecordedRun.nullable()),
});

export type RecordedGpus = ReadonlyMap<number, RecordedRun | null>;

/** The recorded state, or null when there is none or it cannot be read (then trust the driver alone). */
export const findGpuStateFile = async (path: string): Promise<Map<number, RecordedRun | null> | null> => {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = ZGpuStateFile.safeParse(json);
  if (!parsed.success) return null;
  return new Map(Object.entries(parsed.data.gpus).map(([index, run]) => [Number(index), run]));
};

/**
 * Replace the file whole, and fsync it before resolving: the caller starts a process only after
 * this, and a record lost to a power cut is a GPU the next agent thinks is free.
 */
export const writeGpuStateFile = async (path: string, gpus: RecordedGpus): Promise<void> => {
  const body = { v: 1 as const, gpus: Object.fromEntries([...gpus].map(([index, run]) => [String(index), run])) };
  const tmp = `${path}.tmp`;
  await writeFile(tmp, JSON.stringify(body));
  const fh = await open(tmp, "r+");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
};
