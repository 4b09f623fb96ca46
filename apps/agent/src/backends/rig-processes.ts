import { mkdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import type { GpuVendor, MinerAssignment, WorkloadAssignment } from "@rigshift/protocol";
import { buildMinerCommand } from "../miners/build-miner-command";
import { MINER_STATS_DRIVERS } from "../miners/drivers";
import { ZMinerKind } from "../miners/miner-stats";
import { superviseMiner, type MinerEvent, type MinerSupervisor, type SupervisorPolicy } from "../miners/supervise-miner";
import { findAlivePids } from "../workloads/alive-pids";
import { findGpuStateFile, GPU_STATE_FILE, writeGpuStateFile, type RecordedRun } from "../workloads/gpu-state-file";
import { reconcileGpus, type GpuReconciliation } from "../workloads/reconcile";
import { startWorkload, type RunningWorkload, type WorkloadExit } from "../workloads/run-workload";
import type { WorkloadSpec } from "../workloads/workload-spec";
import type { GpuBackend, GpuHolder } from "./backend";

/**
 * The miners and AI workloads a real rig's agent runs, one per GPU set, with a per-GPU record on
 * disk (workloads/gpu-state-file.ts) so the next agent, after a crash, knows what it left running.
 * The hardware backend hands it GPU indices with their vendor and device numbers; everything about
 * processes (spawn, stop, adopt, reconcile) lives here.
 */

type Logger = {
  info: (obj: object, msg: string) => void;
  warn: (obj: object, msg: string) => void;
};

export type RigProcessOptions = {
  /** Folder of the per-GPU state file (the spool's folder); null keeps the record in memory only. */
  stateDir?: string | null;
  /** The agent's environment (PATH, HOME…) miners and workloads inherit. */
  baseEnv?: Readonly<Record<string, string | undefined>>;
  log?: Logger;
  /** Miner binary per miner name; default the miner's usual name on PATH. */
  minerExecutables?: Readonly<Record<string, string>>;
  minerPolicy?: Partial<SupervisorPolicy>;
  /** SIGTERM-to-SIGKILL wait when a miner is stopped. */
  minerStopGraceMs?: number;
  /** How long a new miner must stay up before startMiner resolves: a bad flag or missing binary fails the switch. */
  minerStartCheckMs?: number;
  /** Grace for a miner left by a previous agent and stopped at start (workloads get their recorded kind's default). */
  orphanGraceS?: { miner: number; workload: number };
};

/** Where a run goes: rig indices, their vendor, and the vendor's own device numbers (CUDA / HIP order). */
export type RunTarget = { indices: readonly number[]; vendor: GpuVendor; devices: readonly number[] };

/** A backend that runs real processes and must reconcile what a previous agent left before it is trusted. */
export type ReconcilingBackend = GpuBackend & {
  /** Stops orphans, adopts the one run per GPU that stays, and says what each GPU really does. */
  reconcile(now: Date): Promise<GpuReconciliation[]>;
};

export const canReconcile = (backend: GpuBackend): backend is ReconcilingBackend =>
  typeof (backend as Partial<ReconcilingBackend>).reconcile === "function";

/** The assignment cannot be run as given (no pool, unknown miner, no image or command). */
export class RunRefusedError extends Error {
  override name = "RunRefusedError";
}

type Run =
  | { kind: "miner"; indices: readonly number[]; miner: MinerAssignment; supervisor: MinerSupervisor }
  | { kind: "workload"; indices: readonly number[]; workload: WorkloadAssignment; running: RunningWorkload }
  /** Left running by a previous agent and kept by the reconciliation: known by pid only. */
  | { kind: "adopted"; runKind: "miner" | "workload"; id: string; indices: readonly number[]; pid: number };

const DEFAULTS = { minerStopGraceMs: 10_000, minerStartCheckMs: 1_500, orphanGraceS: { miner: 10, workload: 60 } };
/** After SIGKILL, how long to wait for an adopted process to disappear. */
const KILL_REAP_MS = 2_000;

const quiet: Logger = { info: () => undefined, warn: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Miners and workloads run in their own process group (pgid = pid); the group outlives a launcher. */
const groupAlive = (pid: number) => isAlive(-pid) || isAlive(pid);

const signalGroup = (pid: number, signal: NodeJS.Signals) => {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
      return;
    } catch {
      // Not a group leader (or already gone): try the process itself.
    }
  }
};

/** SIGTERM to a process we know by pid only, up to `graceMs`, then SIGKILL. */
/** "workload w1 exited 0 after 3.2 s (checkpointed in 0.4 s); last: saved step 40" — for the operator. */
export const describeWorkloadExit = (workloadId: string, exit: WorkloadExit): string => {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited ${exit.exitCode ?? "?"}`;
  const stop = exit.stopMs === null ? "" : exit.killed ? ` (ignored the checkpoint signal; killed after ${(exit.stopMs / 1000).toFixed(1)} s)` : ` (stopped ${(exit.stopMs / 1000).toFixed(1)} s after the checkpoint signal)`;
  const last = exit.lastLogLines.slice(-3).join(" | ");
  return `workload ${workloadId} ${how} after ${(exit.durationMs / 1000).toFixed(1)} s${stop}${last ? `; last: ${last}` : ""}`;
};

export const stopPid = async (pid: number, graceMs: number): Promise<{ killed: boolean }> => {
  signalGroup(pid, "SIGTERM");
  const until = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < until) await sleep(50);
  if (!groupAlive(pid)) return { killed: false };
  signalGroup(pid, "SIGKILL");
  const reapUntil = Date.now() + KILL_REAP_MS;
  while (groupAlive(pid) && Date.now() < reapUntil) await sleep(50);
  return { killed: true };
};

/** A loopback port nothing listens on right now; the miner binds it a moment later. */
const findFreePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port"))));
    });
  });

const describeRun = (run: Run) =>
  run.kind === "miner"
    ? `miner ${run.miner.miner}`
    : run.kind === "workload"
      ? `workload ${run.workload.workloadId}`
      : `${run.runKind} ${run.id} (pid ${run.pid}, left by the previous agent)`;

/** A miner assignment made runnable: pool and wallet are optional on the wire, required here. */
const minerProfileOf = (miner: MinerAssignment, target: RunTarget) => {
  const missing = (["poolUrl", "wallet"] as const).filter((field) => !miner[field]?.trim());
  if (missing.length > 0) {
    throw new RunRefusedError(`miner ${miner.miner} has no ${missing.join(" and no ")}: set ${missing.join(" and ")} in the miner profile`);
  }
  const kind = ZMinerKind.safeParse(miner.miner);
  if (!kind.success) throw new RunRefusedError(`unknown miner "${miner.miner}"; supported: ${ZMinerKind.options.join(", ")}`);
  return {
    miner: kind.data,
    algorithm: miner.algorithm,
    poolUrl: miner.poolUrl!,
    wallet: miner.wallet!,
    worker: miner.worker ?? "",
    extraArgs: miner.extraArgs ?? [],
    gpuIndices: target.devices,
    gpuVendor: target.vendor === "NVIDIA" ? ("nvidia" as const) : ("amd" as const),
  };
};

/** A workload assignment as the runner's spec: an image runs in Docker (command, if any, first after it), else the command. */
const workloadSpecOf = (workload: WorkloadAssignment, target: RunTarget): WorkloadSpec => {
  const common = {
    workloadId: workload.workloadId,
    gpus: [...target.devices],
    vendor: target.vendor,
    checkpointGraceS: workload.checkpointGraceS,
    env: workload.env ?? {},
  };
  const args = workload.args ?? [];
  if (workload.image) return { ...common, kind: "docker", image: workload.image, args: workload.command ? [workload.command, ...args] : args };
  if (workload.command) return { ...common, kind: "process", command: workload.command, args };
  throw new RunRefusedError(`workload ${workload.workloadId} has neither an image nor a command to run`);
};

export type RigProcesses = ReturnType<typeof createRigProcesses>;

export const createRigProcesses = (options: RigProcessOptions = {}) => {
  const log = options.log ?? quiet;
  const baseEnv = options.baseEnv ?? process.env;
  const minerStopGraceMs = options.minerStopGraceMs ?? DEFAULTS.minerStopGraceMs;
  const minerStartCheckMs = options.minerStartCheckMs ?? DEFAULTS.minerStartCheckMs;
  const orphanGraceS = options.orphanGraceS ?? DEFAULTS.orphanGraceS;
  const stateDir = options.stateDir ?? null;
  const statePath = stateDir === null ? null : join(stateDir, GPU_STATE_FILE);

  /** By rig index; a run on several GPUs is the same object under each. */
  const runs = new Map<number, Run>();
  const records = new Map<number, RecordedRun | null>();
  let writing: Promise<void> = Promise.resolve();

  /** Writes are queued, so two GPUs switching at once cannot lose each other's record. */
  const record = (indices: readonly number[], run: RecordedRun | null): Promise<void> => {
    for (const index of indices) records.set(index, run);
    if (statePath === null || stateDir === null) return Promise.resolve();
    const snapshot = new Map(records);
    const next = writing.then(async () => {
      await mkdir(stateDir, { recursive: true });
      await writeGpuStateFile(statePath, snapshot);
    });
    writing = next.catch(() => undefined);
    return next;
  };
  const recordLater = (indices: readonly number[], run: RecordedRun | null) =>
    void record(indices, run).catch((err: unknown) => log.warn({ err, gpus: indices }, "writing the GPU state file failed"));

  const forget = (run: Run) => {
    let mine = false;
    for (const index of run.indices) {
      if (runs.get(index) !== run) continue;
      runs.delete(index);
      mine = true;
    }
    return mine;
  };

  /** Adopted runs that exited on their own no longer hold their GPUs. */
  const pruneAdopted = () => {
    for (const run of new Set(runs.values())) {
      if (run.kind === "adopted" && !groupAlive(run.pid) && forget(run)) recordLater(run.indices, null);
    }
  };

  const assertFree = (indices: readonly number[]) => {
    pruneAdopted();
    for (const index of indices) {
      const run = runs.get(index);
      if (run) throw new RunRefusedError(`GPU ${index} already runs ${describeRun(run)}`);
    }
  };

  const runsOn = (indices: readonly number[], kind: "miner" | "workload") =>
    [...new Set(indices.flatMap((i) => runs.get(i) ?? []))].filter((r) => r.kind === kind || (r.kind === "adopted" && r.runKind === kind));

  /** Stop a run; for a workload, the line the agent reports: how it ended and what it last said. */
  const stopRun = async (run: Run, graceMs: number): Promise<string | null> => {
    const since = new Date().toISOString();
    const id = run.kind === "miner" ? run.miner.miner : run.kind === "workload" ? run.workload.workloadId : run.id;
    const kind = run.kind === "adopted" ? run.runKind : run.kind;
    const was = records.get(run.indices[0]!) ?? { kind, id, pid: null, since };
    await record(run.indices, { ...was, phase: "stopping" });
    let summary: string | null = null;
    if (run.kind === "miner") await run.supervisor.stop(graceMs);
    else if (run.kind === "workload") summary = describeWorkloadExit(run.workload.workloadId, await run.running.stop(graceMs));
    else {
      const { killed } = await stopPid(run.pid, graceMs);
      log.info({ pid: run.pid, gpus: run.indices, killed }, `stopped ${describeRun(run)}`);
    }
    forget(run);
    await record(run.indices, null);
    return summary;
  };

  const startMiner = async (target: RunTarget, miner: MinerAssignment): Promise<void> => {
    const profile = minerProfileOf(miner, target);
    assertFree(target.indices);
    const apiPort = await findFreePort();
    const command = buildMinerCommand({ ...profile, apiPort, executable: options.minerExecutables?.[profile.miner] });
    const apiUrl = new URL(profile.miner === "teamredminer" ? `tcp://127.0.0.1:${apiPort}` : `http://127.0.0.1:${apiPort}`);
    const since = new Date().toISOString();
    await record(target.indices, { kind: "miner", id: miner.miner, pid: null, phase: "starting", since });

    let early: Extract<MinerEvent, { type: "crashed" }> | null = null;
    let started = false;
    const supervisor = superviseMiner({
      command,
      spawnOptions: { env: baseEnv as NodeJS.ProcessEnv },
      statsDriver: MINER_STATS_DRIVERS[profile.miner],
      apiUrl,
      log,
      policy: options.minerPolicy,
      onEvent: (event) => {
        if (event.type === "crashed" && !started) early ??= event;
        // The supervisor restarted it: the record follows the new pid, or the next agent misses it.
        if (event.type === "restarted" && event.pid !== null && target.indices.every((i) => runs.get(i)?.kind === "miner")) {
          recordLater(target.indices, { kind: "miner", id: miner.miner, pid: event.pid, phase: "running", since });
        }
      },
    });
    const until = Date.now() + minerStartCheckMs;
    // A missing binary reports itself a tick later (spawn error), a bad flag within the check.
    while (early === null && Date.now() < until) await sleep(25);
    const pid = supervisor.pid();
    if (early !== null || pid === null) {
      await supervisor.stop(0);
      await record(target.indices, null);
      const crash = early as Extract<MinerEvent, { type: "crashed" }> | null;
      const how = crash ? `exited (code ${crash.exitCode ?? "none"}, signal ${crash.signal ?? "none"})` : "did not start";
      throw new Error(`${command.executable} ${how}: ${crash?.lastLines.slice(-3).join(" | ") || "no output"}`);
    }
    started = true;
    const run: Run = { kind: "miner", indices: [...target.indices], miner, supervisor };
    for (const index of target.indices) runs.set(index, run);
    await record(target.indices, { kind: "miner", id: miner.miner, pid, phase: "running", since });
    log.info({ gpus: target.indices, pid, apiPort, miner: miner.miner, args: command.args }, "miner started");
  };

  const startWorkloadOn = async (target: RunTarget, workload: WorkloadAssignment): Promise<void> => {
    const spec = workloadSpecOf(workload, target);
    assertFree(target.indices);
    const since = new Date().toISOString();
    await record(target.indices, { kind: "workload", id: workload.workloadId, pid: null, phase: "starting", since });
    let running: RunningWorkload;
    try {
      running = await startWorkload(spec, { baseEnv });
    } catch (err) {
      await record(target.indices, null);
      throw new Error(`cannot start workload ${workload.workloadId}: ${(err as Error).message}`);
    }
    const run: Run = { kind: "workload", indices: [...target.indices], workload, running };
    for (const index of target.indices) runs.set(index, run);
    await record(target.indices, { kind: "workload", id: workload.workloadId, pid: running.pid, phase: "running", since });
    log.info({ gpus: target.indices, pid: running.pid, workloadId: workload.workloadId, kind: spec.kind }, "workload started");
    void running.exited.then((exit) => {
      // Ended on its own (finished, crashed): the GPU is free again. A stop already cleaned up.
      if (!forget(run)) return;
      recordLater(run.indices, null);
      log.warn({ gpus: run.indices, workloadId: workload.workloadId, ...exit }, "workload exited on its own");
    });
  };

  /** What this agent runs on the GPU, and the pids behind it (so the driver's listing of them is not counted twice). */
  /**
   * The GPU's hashrate as its miner's API last reported it, in H/s; null when no miner of ours
   * runs there or it has not measured yet. A miner started for one GPU sees only that GPU, so its
   * total is the GPU's; for several, its devices come in the order they were given to it.
   */
  const minerHashrate = (index: number): number | null => {
    const run = runs.get(index);
    if (run?.kind !== "miner") return null;
    const stats = run.supervisor.stats();
    if (!stats) return null;
    if (run.indices.length === 1) return stats.totalHashrateHs;
    const byMinerIndex = [...stats.gpus].sort((a, b) => a.minerIndex - b.minerIndex);
    return byMinerIndex[run.indices.indexOf(index)]?.hashrateHs ?? null;
  };

  const ownHolders = (index: number): { holders: GpuHolder[]; pids: Set<number> } => {
    pruneAdopted();
    const run = runs.get(index);
    if (!run) return { holders: [], pids: new Set() };
    if (run.kind === "miner") {
      const pid = run.supervisor.pid();
      return { holders: [{ kind: "miner", miner: run.miner }], pids: new Set(pid === null ? [] : [pid]) };
    }
    if (run.kind === "workload") return { holders: [{ kind: "workload", workloadId: run.workload.workloadId }], pids: new Set([run.running.pid]) };
    // Only the miner's name survives a restart (the state file keeps no more): a placeholder assignment.
    const holder: GpuHolder =
      run.runKind === "workload" ? { kind: "workload", workloadId: run.id } : { kind: "miner", miner: { coin: "unknown", algorithm: "unknown", miner: run.id } };
    return { holders: [holder], pids: new Set([run.pid]) };
  };

  /**
   * At start: read what the previous agent recorded, see which of its pids live, let
   * reconcileGpus decide, stop the rest (orphans, half-done drains) and adopt what stays.
   */
  const reconcile = async (driverHolders: ReadonlyMap<number, readonly GpuHolder[]>, now: Date): Promise<GpuReconciliation[]> => {
    const recorded = statePath === null ? new Map<number, RecordedRun | null>() : ((await findGpuStateFile(statePath)) ?? new Map());
    const alivePids = findAlivePids(recorded);
    const holders = new Map([...driverHolders].map(([index, list]) => [index, [...ownHolders(index).holders, ...list]]));
    const result = reconcileGpus({ recorded, holders, alivePids, now });

    const keptPids = new Set(result.flatMap((r) => (r.keep?.pid ? [r.keep.pid] : [])));
    const toStop = new Map<number, { kind: "miner" | "workload"; id: string; gpus: number[] }>();
    for (const r of result) {
      for (const s of r.stop) {
        if (s.pid === null || keptPids.has(s.pid)) continue;
        const entry = toStop.get(s.pid) ?? { kind: s.kind, id: s.id, gpus: [] };
        entry.gpus.push(r.index);
        toStop.set(s.pid, entry);
      }
    }
    await Promise.all(
      [...toStop].map(async ([pid, s]) => {
        const { killed } = await stopPid(pid, orphanGraceS[s.kind] * 1000);
        log.warn({ pid, gpus: s.gpus, kind: s.kind, id: s.id, killed }, "stopped a run the previous agent left behind");
      }),
    );

    const adopted = new Map<number, Run>();
    for (const r of result) {
      const keep = r.keep;
      if (keep?.pid && !runs.has(r.index)) {
        const run = adopted.get(keep.pid) ?? { kind: "adopted", runKind: keep.kind, id: keep.id, indices: [], pid: keep.pid };
        (run.indices as number[]).push(r.index);
        adopted.set(keep.pid, run);
        runs.set(r.index, run);
      }
      records.set(r.index, r.record);
      log.info({ gpu: r.index, mode: r.mode, keep: r.keep, stopped: r.stop, foreign: r.foreign }, "GPU reconciled at start");
    }
    await record([], null); // no GPU changes here: writes the reconciled records
    return result;
  };

  return {
    startMiner,
    stopMiner: async (indices: readonly number[]) => {
      await Promise.all(runsOn(indices, "miner").map((run) => stopRun(run, minerStopGraceMs)));
    },
    startWorkload: startWorkloadOn,
    stopWorkload: async (indices: readonly number[], graceS: number) => {
      const summaries = await Promise.all(runsOn(indices, "workload").map((run) => stopRun(run, graceS * 1000)));
      return summaries.filter((x): x is string => x !== null).join("; ") || undefined;
    },
    ownHolders,
    minerHashrate,
    reconcile,
  };
};
