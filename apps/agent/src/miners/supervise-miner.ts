import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import type { MinerCommand } from "./build-miner-command";
import type { MinerStats, MinerStatsDriver } from "./miner-stats";

/**
 * Runs one miner as a child process for as long as the agent wants it: restarts it with capped
 * exponential backoff when it exits on its own, polls its API, and restarts it when the total
 * hashrate collapses (a hung GPU, a lost DAG) below a fraction of its running average for several
 * polls in a row. Everything it does is reported through `onEvent`.
 */

export type MinerEvent =
  | { type: "crashed"; pid: number | null; exitCode: number | null; signal: string | null; ranMs: number; restartInMs: number; lastLines: string[] }
  | { type: "restarted"; pid: number | null; reason: "crash" | "hashrate-collapse"; restarts: number }
  | { type: "hashrate-collapse"; pid: number | null; totalHashrateHs: number; averageHs: number; polls: number }
  | { type: "stopped"; pid: number | null; exitCode: number | null; signal: string | null; killed: boolean };

export type SupervisorPolicy = {
  pollIntervalMs: number;
  statsTimeoutMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** A run this long resets the backoff: the miner was healthy, the next crash is a new story. */
  stableAfterMs: number;
  /** Collapse = total below this fraction of the running average… */
  collapseFraction: number;
  /** …for this many polls in a row. */
  collapsePolls: number;
  /** Healthy samples in the running average, and the fewest needed before judging. */
  averageWindow: number;
  minSamples: number;
  /** SIGTERM-to-SIGKILL wait when the watchdog restarts the miner. */
  restartGraceMs: number;
};

export const DEFAULT_SUPERVISOR_POLICY: SupervisorPolicy = {
  pollIntervalMs: 10_000,
  statsTimeoutMs: 3_000,
  backoffInitialMs: 2_000,
  backoffMaxMs: 120_000,
  stableAfterMs: 300_000,
  collapseFraction: 0.5,
  collapsePolls: 3,
  averageWindow: 30,
  minSamples: 3,
  restartGraceMs: 10_000,
};

type Logger = {
  info: (obj: object, msg: string) => void;
  warn: (obj: object, msg: string) => void;
};

export type SuperviseMinerOptions = {
  command: MinerCommand;
  spawnOptions?: Pick<SpawnOptions, "cwd" | "env">;
  statsDriver: MinerStatsDriver;
  apiUrl: URL;
  log: Logger;
  onEvent: (event: MinerEvent) => void;
  policy?: Partial<SupervisorPolicy>;
};

export type MinerSupervisor = {
  /** The running miner's pid; null between a crash and its restart. */
  pid: () => number | null;
  /** SIGTERM, up to `graceMs` to exit, then SIGKILL. Resolves once the miner is gone. */
  stop: (graceMs: number) => Promise<void>;
  /** What the miner's API said at the last poll; null before the first answer or after a restart. */
  stats: () => MinerStats | null;
};

const LAST_LINES = 20;

/** Capped exponential backoff: initial, 2×, 4×, … up to max. */
export const backoffMs = (crashesInARow: number, { backoffInitialMs, backoffMaxMs }: Pick<SupervisorPolicy, "backoffInitialMs" | "backoffMaxMs">) =>
  Math.min(backoffMaxMs, backoffInitialMs * 2 ** Math.max(0, crashesInARow - 1));

export const superviseMiner = (options: SuperviseMinerOptions): MinerSupervisor => {
  const policy = { ...DEFAULT_SUPERVISOR_POLICY, ...options.policy };
  const { command, log, onEvent } = options;

  let child: ChildProcess | null = null;
  let exited: Promise<{ code: number | null; signal: string | null }> = Promise.resolve({ code: null, signal: null });
  let startedAt = 0;
  let crashesInARow = 0;
  let restarts = 0;
  let stopping = false;
  let restarting = false;
  let restartTimer: NodeJS.Timeout | null = null;
  let pollTimer: NodeJS.Timeout | null = null;
  let lastLines: string[] = [];
  let samples: number[] = [];
  let latest: MinerStats | null = null;
  let lowPolls = 0;

  const keepLines = (chunk: Buffer) => {
    lastLines = [...lastLines, ...chunk.toString("utf8").split(/\r?\n/).filter((l) => l.trim() !== "")].slice(-LAST_LINES);
  };

  // The miner runs in its own process group: T-Rex and others fork a watchdog or worker, and a
  // signal to the parent alone would leave the real miner holding the GPUs.
  const signalGroup = (proc: ChildProcess, signal: NodeJS.Signals) => {
    if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    try {
      process.kill(-proc.pid, signal);
    } catch {
      proc.kill(signal);
    }
  };

  const start = () => {
    latest = null;
    const proc = spawn(command.executable, command.args, {
      cwd: options.spawnOptions?.cwd,
      env: { ...(options.spawnOptions?.env ?? process.env), ...command.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    child = proc;
    startedAt = Date.now();
    lastLines = [];
    samples = [];
    lowPolls = 0;
    proc.stdout?.on("data", keepLines);
    proc.stderr?.on("data", keepLines);
    exited = new Promise((resolve) => {
      let done = false;
      const finish = (code: number | null, signal: string | null) => {
        if (done) return;
        done = true;
        resolve({ code, signal });
        onExit(proc, code, signal);
      };
      proc.on("exit", finish);
      // A missing executable never exits: it fails to spawn. Same handling as a crash.
      proc.on("error", (err) => {
        keepLines(Buffer.from(String(err.message)));
        finish(null, null);
      });
    });
    log.info({ pid: proc.pid, executable: command.executable }, "miner started");
  };

  const onExit = (proc: ChildProcess, code: number | null, signal: string | null) => {
    if (child !== proc) return;
    child = null;
    if (stopping || restarting) return;
    const ranMs = Date.now() - startedAt;
    crashesInARow = ranMs >= policy.stableAfterMs ? 1 : crashesInARow + 1;
    const restartInMs = backoffMs(crashesInARow, policy);
    log.warn({ pid: proc.pid, exitCode: code, signal, ranMs, restartInMs }, "miner exited unexpectedly");
    onEvent({ type: "crashed", pid: proc.pid ?? null, exitCode: code, signal, ranMs, restartInMs, lastLines });
    restartTimer = setTimeout(() => {
      restartTimer = null;
      if (stopping) return;
      start();
      restarts += 1;
      onEvent({ type: "restarted", pid: child?.pid ?? null, reason: "crash", restarts });
    }, restartInMs);
  };

  const terminate = async (proc: ChildProcess, graceMs: number): Promise<{ code: number | null; signal: string | null; killed: boolean }> => {
    const waitExit = exited;
    signalGroup(proc, "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([waitExit.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
    clearTimeout(timer);
    if (timedOut) signalGroup(proc, "SIGKILL");
    const { code, signal } = await waitExit;
    return { code, signal, killed: timedOut };
  };

  const restartForCollapse = async (totalHashrateHs: number, averageHs: number) => {
    const proc = child;
    if (!proc || restarting || stopping) return;
    log.warn({ pid: proc.pid, totalHashrateHs, averageHs }, "miner hashrate collapsed");
    onEvent({ type: "hashrate-collapse", pid: proc.pid ?? null, totalHashrateHs, averageHs, polls: lowPolls });
    restarting = true;
    try {
      await terminate(proc, policy.restartGraceMs);
    } finally {
      restarting = false;
    }
    if (stopping) return;
    start();
    restarts += 1;
    onEvent({ type: "restarted", pid: child?.pid ?? null, reason: "hashrate-collapse", restarts });
  };

  const poll = async () => {
    const proc = child;
    if (!proc || restarting || stopping) return;
    let total: number | null;
    try {
      const stats = await options.statsDriver(options.apiUrl, { timeoutMs: policy.statsTimeoutMs });
      if (child === proc) latest = stats;
      total = stats.totalHashrateHs;
    } catch (err) {
      // Not up yet, or busy: the process watch catches a dead miner; the API alone proves nothing.
      log.warn({ err, pid: proc.pid }, "miner stats poll failed");
      return;
    }
    if (child !== proc || total === null) return; // restarted meanwhile, or no measurement yet
    const averageHs = samples.length === 0 ? 0 : samples.reduce((a, b) => a + b, 0) / samples.length;
    if (samples.length >= policy.minSamples && total < averageHs * policy.collapseFraction) {
      lowPolls += 1;
      // Low samples stay out of the average, or a slow collapse would lower its own bar.
      if (lowPolls >= policy.collapsePolls) await restartForCollapse(total, averageHs);
      return;
    }
    lowPolls = 0;
    samples = [...samples, total].slice(-policy.averageWindow);
  };

  const schedulePoll = () => {
    pollTimer = setTimeout(() => {
      void poll().finally(() => {
        if (!stopping) schedulePoll();
      });
    }, policy.pollIntervalMs);
  };

  start();
  schedulePoll();

  return {
    pid: () => child?.pid ?? null,
    stats: () => latest,
    stop: async (graceMs) => {
      if (stopping) return;
      stopping = true;
      if (pollTimer) clearTimeout(pollTimer);
      if (restartTimer) clearTimeout(restartTimer);
      const proc = child;
      if (!proc) {
        onEvent({ type: "stopped", pid: null, exitCode: null, signal: null, killed: false });
        return;
      }
      const { code, signal, killed } = await terminate(proc, graceMs);
      log.info({ pid: proc.pid, exitCode: code, signal, killed }, "miner stopped");
      onEvent({ type: "stopped", pid: proc.pid ?? null, exitCode: code, signal, killed });
    },
  };
};
