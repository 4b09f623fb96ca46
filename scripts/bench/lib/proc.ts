import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** MB here is MiB (2^20 bytes), as `ps` and `top` count memory. */
const MiB = 1024 * 1024;

// utime/stime in /proc/<pid>/stat count clock ticks; CLK_TCK is 100 on every Linux we run, but ask.
let clockTicks: number | null = null;
const ticksPerSecond = (): number => {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
};

/** CPU seconds the process has used so far (user + system, all its threads; not its children). */
export const readCpuSeconds = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Field 2 (comm) is in parentheses and may hold spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After comm, field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cannot parse /proc/${pid}/stat`);
  return (utime + stime) / ticksPerSecond();
};

/** Resident set size in MiB (VmRSS of /proc/<pid>/status). */
export const readRssMb = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS in /proc/${pid}/status (has the process exited?)`);
  return (Number(kb) * 1024) / MiB;
};

/** The process and every process below it (a clustered gateway's workers): pids, parent first. */
export const processTree = (pid: number): number[] => {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    const list = children.get(ppid);
    if (list) list.push(Number(entry));
    else children.set(ppid, [Number(entry)]);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
};

/** Sum of a reading over a process tree, skipping a process that exited between listing and reading. */
const overTree = (pid: number, read: (pid: number) => number) => {
  let sum = 0;
  for (const p of processTree(pid)) {
    try {
      sum += read(p);
    } catch (err) {
      if (p === pid) throw err;
    }
  }
  return sum;
};

/** CPU seconds of the process and its descendants that are alive now. */
export const readTreeCpuSeconds = (pid: number) => overTree(pid, readCpuSeconds);
/** RSS of the process and its descendants, in MiB (shared pages count once per process, as `ps` does). */
export const readTreeRssMb = (pid: number) => overTree(pid, readRssMb);

export type ProcessSample = {
  /** Mean RSS over the window. */
  rssMb: number;
  /** Highest RSS seen in the window. */
  rssPeakMb: number;
  /** CPU used over the window as a share of one core (100 = one core busy all the time). */
  cpuPct: number;
  seconds: number;
};

export type Sampler = { finish: () => ProcessSample };

/**
 * Start measuring a running process with its descendants (a gateway with GATEWAY_WORKERS > 1 is a
 * primary and its workers): CPU from the difference of utime+stime between start and finish
 * (exact for processes that live through the window), RSS summed and polled every `rssEveryMs`.
 */
export const startSampling = (pid: number, { rssEveryMs = 1_000 }: { rssEveryMs?: number } = {}): Sampler => {
  const startedAt = performance.now();
  const cpuAtStart = readTreeCpuSeconds(pid);
  const rss: number[] = [readTreeRssMb(pid)];
  const timer = setInterval(() => rss.push(readTreeRssMb(pid)), rssEveryMs);
  return {
    finish: () => {
      clearInterval(timer);
      rss.push(readTreeRssMb(pid));
      const seconds = (performance.now() - startedAt) / 1000;
      const cpuPct = ((readTreeCpuSeconds(pid) - cpuAtStart) / seconds) * 100;
      return { rssMb: rss.reduce((a, b) => a + b, 0) / rss.length, rssPeakMb: Math.max(...rss), cpuPct, seconds };
    },
  };
};
