import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { planLaunch } from "./launch-plan";
import { createLineTail } from "./line-tail";
import type { WorkloadSpec } from "./workload-spec";

/** How a workload ended: what the dashboard shows next to the switch. */
export type WorkloadExit = {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** From start to exit. */
  durationMs: number;
  /** From the stop request (SIGTERM) to exit; null when it exited on its own. */
  stopMs: number | null;
  /** True when the grace ran out and it was SIGKILLed: its last checkpoint may be stale. */
  killed: boolean;
  /** Last lines of stdout and stderr together, oldest first. */
  lastLogLines: string[];
};

export type RunningWorkload = {
  pid: number;
  /** Settles when the workload has exited, whoever ended it. */
  exited: Promise<WorkloadExit>;
  /**
   * SIGTERM to every process of the workload (checkpoint now), SIGKILL to those left after the
   * grace; resolves with the exit once none is left. Idempotent.
   */
  stop(graceMs?: number): Promise<WorkloadExit>;
  /** Its output so far (the same ring the exit report keeps). */
  logLines(): string[];
};

export type StartWorkloadOptions = {
  /** The agent's environment (PATH, HOME…) the workload inherits; main.ts passes process.env. */
  baseEnv: Readonly<Record<string, string | undefined>>;
  /** Lines of output kept for the exit report. */
  logLines?: number;
  /** Milliseconds, monotonic; durations only. */
  clock?: () => number;
};

/** Once the process has exited, how long to wait for its pipes (a grandchild may hold them open). */
const PIPE_DRAIN_MS = 1_000;
/** After SIGKILL, how long to wait for the group to disappear before reporting anyway. */
const GROUP_REAP_MS = 2_000;

/**
 * Start an AI workload in its own process group, so SIGTERM and SIGKILL reach every process it
 * forks (launchers like torchrun), and a restarted agent finds it still running rather than
 * killed with it. Resolves once the process is spawned; rejects if it cannot be (no such file).
 */
export const startWorkload = async (spec: WorkloadSpec, opts: StartWorkloadOptions): Promise<RunningWorkload> => {
  const clock = opts.clock ?? (() => performance.now());
  const plan = planLaunch(spec, opts.baseEnv);
  const tail = createLineTail(opts.logLines ?? 50);
  const child = spawn(plan.command, plan.args, { env: plan.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
  const pid = child.pid!;
  const startedAt = clock();
  child.stdout.setEncoding("utf8").on("data", (d: string) => tail.write("stdout", d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => tail.write("stderr", d));

  let stopAt: number | null = null;
  let killed = false;
  let graceTimer: NodeJS.Timeout | null = null;
  let ended: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch (err) {
      // The group is gone: it exited between our check and the signal.
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
    }
  };

  /** Any process of the group left (a worker the launcher forked outlives it and keeps the GPU). */
  const groupAlive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "EPERM";
    }
  };

  const forceKill = async () => {
    if (!groupAlive()) return;
    killed = true;
    // SIGKILL cannot be forwarded by the docker client: kill the container itself.
    if (plan.containerName) {
      await new Promise<void>((resolve) => {
        const k = spawn("docker", ["kill", "--signal", "KILL", plan.containerName!], { env: plan.env, stdio: "ignore" });
        k.once("error", () => resolve());
        k.once("exit", () => resolve());
      });
    }
    signalGroup("SIGKILL");
  };

  const requestStop = (graceMs: number) => {
    if (stopAt !== null) return;
    stopAt = clock();
    signalGroup("SIGTERM");
    graceTimer = setTimeout(() => void forceKill(), graceMs);
  };

  const graceMsOf = (graceMs?: number) => graceMs ?? spec.checkpointGraceS * 1000;

  /** Until no process of the group is left; bounded after SIGKILL (a zombie nobody reaps stays listed). */
  const groupGone = async () => {
    let killedAt: number | null = null;
    while (groupAlive()) {
      if (killed) killedAt ??= clock();
      if (killedAt !== null && clock() - killedAt > GROUP_REAP_MS) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const exited = new Promise<WorkloadExit>((resolve) => {
    const closed = new Promise<void>((done) => child.once("close", () => done()));
    child.once("exit", (code, signal) => {
      ended = { code, signal };
      // The launcher is gone but its workers may not be: they get the same SIGTERM, grace, SIGKILL.
      if (groupAlive()) requestStop(graceMsOf());
      void (async () => {
        await groupGone();
        if (graceTimer) clearTimeout(graceTimer);
        const endAt = clock();
        await Promise.race([closed, new Promise((r) => setTimeout(r, PIPE_DRAIN_MS).unref())]);
        resolve({
          exitCode: code,
          signal,
          durationMs: Math.round(endAt - startedAt),
          stopMs: stopAt === null ? null : Math.round(endAt - stopAt),
          killed,
          lastLogLines: tail.lines(),
        });
      })();
    });
  });

  return {
    pid,
    exited,
    logLines: () => tail.lines(),
    stop: (graceMs) => {
      if (!ended || groupAlive()) requestStop(graceMsOf(graceMs));
      return exited;
    },
  };
};
