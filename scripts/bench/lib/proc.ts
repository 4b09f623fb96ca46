import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

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
 * Start measuring a running process: CPU from the difference of utime+stime between start and
 * finish (exact, whatever happened between), RSS polled every `rssEveryMs`.
 */
export const startSampling = (pid: number, { rssEveryMs = 1_000 }: { rssEveryMs?: number } = {}): Sampler => {
  const startedAt = performance.now();
  const cpuAtStart = readCpuSeconds(pid);
  const rss: number[] = [readRssMb(pid)];
  const timer = setInterval(() => rss.push(readRssMb(pid)), rssEveryMs);
  return {
    finish: () => {
      clearInterval(timer);
      rss.push(readRssMb(pid));
      const seconds = (performance.now() - startedAt) / 1000;
      const cpuPct = ((readCpuSeconds(pid) - cpuAtStart) / seconds) * 100;
      return { rssMb: rss.reduce((a, b) => a + b, 0) / rss.length, rssPeakMb: Math.max(...rss), cpuPct, seconds };
    },
  };
};
