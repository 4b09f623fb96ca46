import { fork } from "node:child_process";
import { resolve } from "node:path";
import type { BenchContext } from "./harness";
import type { LoadPlan, LoadReport } from "./load-agents";

/**
 * Simulated rigs spread over `processes` load processes (lib/load-agents.ts), each over IPC:
 * the parent sees their summed stats, gathers ack latencies, and hears of each command received.
 */
export type Load = {
  totals: () => { connected: number; ready: number; acked: number; failedAcks: number; connectErrors: number; helloRetries: number; lastError: string | null };
  /** Ack latencies (ms) each process recorded since the last call. */
  collectLatencies: () => Promise<number[]>;
  onCommand: (fn: (commandId: string, receivedAt: number) => void) => void;
  /** The worst event-loop delay of any load process since the last call (p99 and max, ms). */
  collectLoopDelay: () => Promise<{ p99Ms: number; maxMs: number }>;
  pids: number[];
  stop: () => Promise<void>;
};

export const startLoad = (ctx: BenchContext, { processes, ...plan }: LoadPlan & { processes: number }): Load => {
  const file = resolve(import.meta.dirname, "load-agents.ts");
  const stats = new Map<number, Extract<LoadReport, { type: "stats" }>>();
  const commandListeners: ((id: string, at: number) => void)[] = [];
  const latencyWaiters = new Map<number, (ms: number[]) => void>();
  const loopDelayWaiters = new Map<number, (d: { p99Ms: number; maxMs: number }) => void>();
  const children = Array.from({ length: processes }, (_, p) => {
    const rigs = plan.rigs.filter((_, i) => i % processes === p);
    const child = fork(file, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "inherit", "ipc"], env: { ...process.env, NODE_OPTIONS: "" } });
    child.on("message", (m: LoadReport) => {
      if (m.type === "stats") stats.set(p, m);
      else if (m.type === "command") for (const fn of commandListeners) fn(m.commandId, m.receivedAt);
      else if (m.type === "latencies") latencyWaiters.get(p)?.(m.ackMs);
      else if (m.type === "loopDelay") loopDelayWaiters.get(p)?.(m);
    });
    child.send({ ...plan, rigs } satisfies LoadPlan);
    return child;
  });
  const stop = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((done) => {
            if (c.exitCode !== null || c.signalCode !== null) return done();
            const kill = setTimeout(() => c.kill("SIGKILL"), 3_000);
            c.once("exit", () => {
              clearTimeout(kill);
              done();
            });
            if (c.connected) c.send({ type: "stop" });
            else c.kill("SIGTERM");
          }),
      ),
    );
  };
  ctx.onCleanup(stop);
  return {
    totals: () => {
      const all = [...stats.values()];
      const sum = (k: "connected" | "ready" | "acked" | "failedAcks" | "connectErrors" | "helloRetries") => all.reduce((n, s) => n + s[k], 0);
      return { connected: sum("connected"), ready: sum("ready"), acked: sum("acked"), failedAcks: sum("failedAcks"), connectErrors: sum("connectErrors"), helloRetries: sum("helloRetries"), lastError: all.find((s) => s.lastError)?.lastError ?? null };
    },
    collectLatencies: async () => {
      const parts = await Promise.all(
        children.map((c, p) => new Promise<number[]>((done) => {
          const t = setTimeout(() => done([]), 5_000);
          latencyWaiters.set(p, (ms) => { clearTimeout(t); done(ms); });
          c.send({ type: "latencies" });
        })),
      );
      return parts.flat();
    },
    collectLoopDelay: async () => {
      const parts = await Promise.all(
        children.map((c, p) => new Promise<{ p99Ms: number; maxMs: number }>((done) => {
          const t = setTimeout(() => done({ p99Ms: Number.NaN, maxMs: Number.NaN }), 5_000);
          loopDelayWaiters.set(p, (d) => { clearTimeout(t); done(d); });
          c.send({ type: "loopDelay" });
        })),
      );
      return { p99Ms: Math.max(...parts.map((d) => d.p99Ms)), maxMs: Math.max(...parts.map((d) => d.maxMs)) };
    },
    onCommand: (fn) => commandListeners.push(fn),
    pids: children.map((c) => c.pid!),
    stop,
  };
};
