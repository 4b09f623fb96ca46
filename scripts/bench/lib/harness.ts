import { appendFileSync } from "node:fs";
import { spawnChild, type Child } from "../../../tooling/stack/child";

/**
 * Where the children's output goes: nowhere, or appended to BENCH_CHILD_LOG (with their names), to
 * see what a gateway said during a run (e.g. with BENCH_GATEWAY_NODE_FLAGS=--trace-gc).
 */
const childOutput = () => {
  const file = process.env.BENCH_CHILD_LOG;
  return file ? (line: string) => appendFileSync(file, `${line}\n`) : () => {};
};

/**
 * What every benchmark shares: children that are stopped whatever happens, a hard deadline, and
 * the output contract (a readable table, then one JSON object as the very last line, so CI can
 * `tail -n 1 | jq`).
 */
export type BenchContext = {
  /** Start a process to measure or to measure against; stopped when the benchmark ends. */
  spawn: (options: { name: string; command: string; args: string[]; cwd: string; env?: NodeJS.ProcessEnv }) => Child;
  /** Run `fn` on the way out (servers, temp dirs); last registered runs first. */
  onCleanup: (fn: () => Promise<void> | void) => void;
  /** Progress for the reader, on stderr so stdout stays table + JSON. */
  note: (text: string) => void;
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seconds from an env override (so tests can run a short version), else the default. */
export const secondsFromEnv = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0) throw new Error(`${name} must be a positive number of seconds, got "${raw}"`);
  return s;
};

/**
 * Run one benchmark: `body` prints its table and returns the JSON result. Exits 1 (after cleaning
 * up) when it throws or passes `deadlineMs`.
 */
export const runBench = async (name: string, deadlineMs: number, body: (ctx: BenchContext) => Promise<Record<string, unknown>>): Promise<void> => {
  const cleanups: (() => Promise<void> | void)[] = [];
  const children: Child[] = [];
  const cleanUp = async () => {
    await Promise.allSettled(children.map((c) => c.stop(5_000)));
    for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch((err: unknown) => process.stderr.write(`cleanup failed: ${String(err)}\n`));
  };
  const ctx: BenchContext = {
    spawn: ({ name: childName, command, args, cwd, env }) => {
      const child = spawnChild({ name: childName, command, args, cwd, env: env ?? process.env, output: childOutput(), colour: false });
      children.push(child);
      return child;
    },
    onCleanup: (fn) => cleanups.push(fn),
    note: (text) => process.stderr.write(`[${name}] ${text}\n`),
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${deadlineMs / 1000} s`)), deadlineMs);
  });
  const stopOnSignal = (signal: NodeJS.Signals) => {
    void cleanUp().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", stopOnSignal);
  process.once("SIGTERM", stopOnSignal);
  try {
    const result = await Promise.race([body(ctx), deadline]);
    await cleanUp();
    process.stdout.write(`${JSON.stringify({ bench: name, ...result })}\n`);
  } catch (err) {
    await cleanUp();
    process.stderr.write(`[${name}] failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  } finally {
    clearTimeout(timer);
    process.off("SIGINT", stopOnSignal);
    process.off("SIGTERM", stopOnSignal);
  }
};
