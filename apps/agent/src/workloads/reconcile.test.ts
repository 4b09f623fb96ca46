import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TargetMode } from "@rigshift/protocol";
import type { GpuHolder } from "../backends/backend";
import type { RecordedRun } from "./gpu-state-file";
import { reconcileGpus } from "./reconcile";

const NOW = new Date("2026-03-01T12:00:00Z");
const SINCE = "2026-03-01T11:00:00.000Z";
const W1 = "11111111-1111-4111-8111-111111111111";
const W2 = "22222222-2222-4222-8222-222222222222";
const miner = (name: string): GpuHolder => ({ kind: "miner", miner: { coin: "ETC", algorithm: "etchash", miner: name } });

describe("reconcile at start", () => {
  it("counts a recorded workload that is alive but not yet on the GPU, so nothing is started beside it", () => {
    const [gpu] = reconcileGpus({
      recorded: new Map([[0, { kind: "workload", id: W1, pid: 4242, phase: "starting", since: SINCE }]]),
      holders: new Map([[0, []]]),
      alivePids: new Set([4242]),
      now: NOW,
    });
    expect(gpu).toMatchObject({ mode: "AI", keep: { kind: "workload", id: W1, pid: 4242 }, stop: [], record: { phase: "running", pid: 4242 } });
  });

  it("keeps the recorded workload and stops a miner left beside it", () => {
    const [gpu] = reconcileGpus({
      recorded: new Map([[0, { kind: "workload", id: W1, pid: 4242, phase: "running", since: SINCE }]]),
      holders: new Map([[0, [miner("trex"), { kind: "process", pid: 4242, name: "python3" }]]]),
      alivePids: new Set([4242]),
      now: NOW,
    });
    expect(gpu).toMatchObject({ mode: "AI", keep: { kind: "workload", id: W1, pid: 4242 }, stop: [{ kind: "miner", id: "trex", pid: null }], foreign: [] });
  });

  it("finishes a drain the crashed agent had begun, and leaves strangers' processes alone", () => {
    const [gpu] = reconcileGpus({
      recorded: new Map([[1, { kind: "workload", id: W2, pid: 7, phase: "stopping", since: SINCE }]]),
      holders: new Map([[1, [{ kind: "process", pid: 900, name: "Xorg" }]]]),
      alivePids: new Set([7]),
      now: NOW,
    });
    expect(gpu).toMatchObject({ index: 1, mode: "IDLE", keep: null, stop: [{ kind: "workload", id: W2, pid: 7 }], foreign: [{ pid: 900, name: "Xorg" }], record: null });
  });

  it("reports a GPU idle when the recorded process died while the agent was down", () => {
    const [gpu] = reconcileGpus({
      recorded: new Map([[0, { kind: "miner", id: "lolminer", pid: 55, phase: "running", since: SINCE }]]),
      holders: new Map([[0, []]]),
      alivePids: new Set(),
      now: NOW,
    });
    expect(gpu).toMatchObject({ mode: "IDLE", keep: null, stop: [], record: null });
  });

  /**
   * A model rig: real processes on GPUs (a workload loads for a tick before the driver lists it;
   * some ignore SIGTERM), and an agent that switches GPUs the way switch-gpu.ts does, recording
   * each step in its state file, and that may crash after any step. On restart it reconciles.
   */
  it("never has two workloads on one GPU across random commands, crashes and restarts", () => {
    type Proc = { pid: number; gpu: number; kind: "miner" | "workload"; id: string; loading: boolean; terminating: boolean; stubborn: boolean; alive: boolean };
    type Op =
      | { op: "switch"; gpu: number; target: TargetMode; crashAfter: number | null; stubborn: boolean }
      | { op: "restart" }
      | { op: "tick" }
      | { op: "die"; gpu: number };
    const GPUS = [0, 1, 2];
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          op: fc.constant("switch" as const),
          gpu: fc.constantFrom(...GPUS),
          target: fc.constantFrom<TargetMode>("IDLE", "HASHING", "AI"),
          crashAfter: fc.option(fc.integer({ min: 0, max: 8 }), { freq: 3 }),
          stubborn: fc.boolean(),
        }),
      },
      { weight: 2, arbitrary: fc.constant({ op: "restart" as const }) },
      { weight: 2, arbitrary: fc.constant({ op: "tick" as const }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant("die" as const), gpu: fc.constantFrom(...GPUS) }) },
    );

    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
        const procs: Proc[] = [];
        let nextPid = 100;
        let nextWorkload = 0;
        // Survives crashes: the state file on disk.
        const recorded = new Map<number, RecordedRun | null>();
        // Lost on a crash: the agent's view of each GPU.
        let modes: Map<number, TargetMode> | null = new Map(GPUS.map((g) => [g, "IDLE"]));

        const aliveOn = (gpu: number) => procs.filter((p) => p.alive && p.gpu === gpu);
        const invariant = () => {
          for (const g of GPUS) expect(aliveOn(g).length, `GPU ${g} runs ${aliveOn(g).map((p) => p.id).join(" + ")}`).toBeLessThanOrEqual(1);
        };
        const tick = () => {
          for (const p of procs) {
            if (p.terminating && !p.stubborn) p.alive = false;
            p.loading = false;
          }
          invariant();
        };
        const driverHolders = (gpu: number): GpuHolder[] =>
          aliveOn(gpu)
            .filter((p) => !p.loading)
            .map((p) => (p.kind === "miner" ? miner(p.id) : { kind: "workload" as const, workloadId: p.id }));
        const kill = (pid: number | null, gpu: number, kind: string, id: string) => {
          for (const p of aliveOn(gpu)) if ((pid !== null && p.pid === pid) || (p.kind === kind && p.id === id)) p.alive = false;
        };

        /** switch-gpu.ts's steps; each `yield` is a point where the agent may die. */
        function* switchGpu(gpu: number, target: TargetMode, stubborn: boolean): Generator<void> {
          const from = modes!.get(gpu)!;
          if (from === target) return;
          if (from !== "IDLE") {
            const run = recorded.get(gpu);
            if (run) recorded.set(gpu, { ...run, phase: "stopping" });
            yield;
            for (const p of aliveOn(gpu)) if (run && p.pid === run.pid) p.terminating = true;
            yield;
            tick();
            yield;
            // Grace over: SIGKILL what is left of it.
            if (run) kill(run.pid, gpu, run.kind, run.id);
            yield;
            recorded.set(gpu, null);
            yield;
            if (driverHolders(gpu).length > 0) return void modes!.set(gpu, from);
          }
          modes!.set(gpu, "IDLE");
          if (target === "IDLE") return;
          // Verify free, as switch-gpu.ts does, from the driver's list.
          if (driverHolders(gpu).length > 0) return;
          const kind = target === "HASHING" ? "miner" : "workload";
          const id = kind === "miner" ? "trex" : `w${nextWorkload++}`;
          recorded.set(gpu, { kind, id, pid: null, phase: "starting", since: SINCE });
          yield;
          // spawn() returns the pid synchronously and it is recorded in the same turn.
          const pid = nextPid++;
          procs.push({ pid, gpu, kind, id, loading: true, terminating: false, stubborn, alive: true });
          recorded.set(gpu, { kind, id, pid, phase: "starting", since: SINCE });
          invariant();
          yield;
          recorded.set(gpu, { kind, id, pid, phase: "running", since: SINCE });
          modes!.set(gpu, target);
        }

        const restart = () => {
          const alivePids = new Set(procs.filter((p) => p.alive).map((p) => p.pid));
          const decisions = reconcileGpus({ recorded, holders: new Map(GPUS.map((g) => [g, driverHolders(g)])), alivePids, now: NOW });
          modes = new Map();
          for (const d of decisions) {
            for (const r of d.stop) kill(r.pid, d.index, r.kind, r.id);
            recorded.set(d.index, d.record);
            modes.set(d.index, d.mode);
            invariant();
            // What the agent now reports is what really runs.
            const running = aliveOn(d.index);
            expect(d.mode).toBe(running.length === 0 ? "IDLE" : running[0]!.kind === "miner" ? "HASHING" : "AI");
          }
        };

        for (const step of ops) {
          if (step.op === "tick") tick();
          else if (step.op === "die") {
            for (const p of aliveOn(step.gpu)) p.alive = false;
          } else if (step.op === "restart") {
            restart();
          } else if (modes) {
            let n = 0;
            for (const _ of switchGpu(step.gpu, step.target, step.stubborn)) {
              invariant();
              if (step.crashAfter !== null && n++ >= step.crashAfter) {
                modes = null;
                break;
              }
            }
            invariant();
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
