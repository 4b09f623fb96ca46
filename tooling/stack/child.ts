import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { formatChildLine } from "./log-lines";

/**
 * A long-running child of the stack (a server, an agent, redis-server). Each runs in its own
 * process group: we stop it and whatever it started (next start forks workers) with one
 * signal, in our order, instead of every process getting the terminal's Ctrl-C at once.
 */

export type Output = (line: string) => void;

export type Child = {
  name: string;
  pid: number;
  /** Settles when the process exits: its code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Rejects when the process exits before stop() was called — race it against waits. */
  died: Promise<never>;
  /** The last lines it printed, for error messages. */
  lastLines: () => string[];
  stop: (graceMs?: number) => Promise<void>;
};

const live = new Set<ChildProcess>();
let colourIndex = 0;

// Should this process exit without stopping its children (a crash, process.exit), take the
// process groups down with it rather than leave servers holding the ports.
process.once("exit", () => {
  for (const proc of live) killGroup(proc, "SIGKILL");
});

/** Signal the child's process group; by default only while its leader runs (a pid may be reused). */
const killGroup = (proc: ChildProcess, signal: NodeJS.Signals, { evenIfLeaderExited = false } = {}) => {
  if (proc.pid === undefined) return;
  if (!evenIfLeaderExited && (proc.exitCode !== null || proc.signalCode !== null)) return;
  try {
    process.kill(-proc.pid, signal);
  } catch (err) {
    // ESRCH: the group is already gone, which is what we wanted.
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
};

export const spawnChild = ({ name, command, args, cwd, env, output, colour = true }: {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  output: Output;
  colour?: boolean;
}): Child => {
  const proc = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  live.add(proc);
  const colourOf = colourIndex++;
  const tail: string[] = [];
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    output(formatChildLine(name, line, { colourIndex: colourOf, colour }));
  };
  createInterface({ input: proc.stdout! }).on("line", onLine);
  createInterface({ input: proc.stderr! }).on("line", onLine);

  let stopping = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once("exit", (code, signal) => {
      live.delete(proc);
      resolve({ code, signal });
    });
    proc.once("error", (err) => {
      live.delete(proc);
      onLine(`could not start: ${err.message}`);
      resolve({ code: 127, signal: null });
    });
  });
  const died = exited.then(({ code, signal }) => {
    if (!stopping) throw new Error(`${name} exited (${signal ?? `code ${code}`}):\n${tail.slice(-15).join("\n")}`);
    return new Promise<never>(() => {});
  });
  // Nobody may be racing `died` right now; an unobserved rejection must not crash us.
  died.catch(() => {});

  const stop = async (graceMs = 10_000) => {
    stopping = true;
    killGroup(proc, "SIGTERM");
    const timer = setTimeout(() => killGroup(proc, "SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
    // The leader is gone; workers it forked may still be holding a port.
    killGroup(proc, "SIGKILL", { evenIfLeaderExited: true });
  };
  return { name, pid: proc.pid ?? -1, exited, died, lastLines: () => [...tail], stop };
};

/** Run a command to completion with prefixed output; rejects on a non-zero exit. */
export const runToCompletion = async (options: Parameters<typeof spawnChild>[0]) => {
  const child = spawnChild(options);
  const { code, signal } = await child.exited;
  if (code !== 0) throw new Error(`${options.name} failed (${signal ?? `code ${code}`}):\n${child.lastLines().slice(-15).join("\n")}`);
};
