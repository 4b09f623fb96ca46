import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { CommandProgress, GpuMode, SwitchCommand, TargetMode } from "@rigshift/protocol";
import type { GpuBackend } from "../backends/backend";
import { createSimulatedBackend, type SimulatedFaults } from "../backends/simulated";
import { loadRigState } from "../rig-state";
import { createCommandRunner } from "./command-runner";
import { isAllowedStep } from "./gpu-machine";

const log = pino({ level: "silent" });
const MODELS = ["NVIDIA GeForce RTX 3060", "NVIDIA GeForce RTX 3090", "AMD Radeon RX 6800"];
const NOW = new Date("2026-03-01T12:00:00Z");
const INSTANT = { minerStartMs: 0, minerStopMs: 0, workloadStartMs: 0, workloadCheckpointMs: 0 };

type Spec = { mode: TargetMode; gpus: number[]; miner: boolean; workload: boolean; expired: boolean; waitBefore: boolean };

const toCommand = (s: Spec): SwitchCommand => ({
  v: 1,
  id: randomUUID(),
  type: "switch",
  mode: s.mode,
  expiresAt: new Date(NOW.getTime() + (s.expired ? -1_000 : 60_000)).toISOString(),
  gpus: s.gpus.map((index) => ({ index, gpuId: randomUUID() })),
  miner: s.miner ? { coin: "RVN", algorithm: "kawpow", miner: "t-rex" } : null,
  workload: s.workload ? { workloadId: randomUUID(), checkpointGraceS: 30 } : null,
});

/** A backend that records, after every call, whether any GPU ran a miner and a workload at once. */
const watched = (inner: GpuBackend, gpuCount: number) => {
  const doubleBooked: string[] = [];
  const check = async (what: string) => {
    for (let i = 0; i < gpuCount; i++) {
      const kinds = new Set((await inner.holders(i)).map((h) => h.kind));
      if ((await inner.holders(i)).length > 1 || (kinds.has("miner") && kinds.has("workload"))) doubleBooked.push(`GPU ${i} after ${what}`);
    }
  };
  const wrap =
    <A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } finally {
        await check(name);
      }
    };
  const backend: GpuBackend = {
    ...inner,
    startMiner: wrap("startMiner", inner.startMiner),
    stopMiner: wrap("stopMiner", inner.stopMiner),
    startWorkload: wrap("startWorkload", inner.startWorkload),
    stopWorkload: wrap("stopWorkload", inner.stopWorkload),
  };
  return { backend, doubleBooked };
};

const setup = async (faults: SimulatedFaults = {}, initialMode: "HASHING" | "IDLE" = "HASHING") => {
  const sim = createSimulatedBackend({ models: MODELS, timings: INSTANT, faults, initialMode, now: () => NOW });
  const { backend, doubleBooked } = watched(sim, MODELS.length);
  const gpus = await loadRigState(backend);
  const progress: CommandProgress[] = [];
  const runner = createCommandRunner({ backend, gpus, emit: (p) => progress.push(p), now: () => NOW, log });
  return { runner, gpus, progress, doubleBooked, backend };
};

const cycle = (flags: boolean[]) => {
  let i = 0;
  return () => (flags.length === 0 ? false : flags[i++ % flags.length]!);
};

describe("command runner", () => {
  it("switches HASHING → AI through drain and start, reporting each step", async () => {
    const { runner, progress, gpus, backend } = await setup();
    const cmd = toCommand({ mode: "AI", gpus: [1], miner: false, workload: true, expired: false, waitBefore: false });
    runner.accept(cmd);
    await runner.settled();
    expect(progress.map((p) => [p.gpuIndex, p.status, p.step])).toEqual([
      [1, "RUNNING", "DRAINING_HASHING"],
      [1, "RUNNING", "STARTING_AI"],
      [1, "DONE", "AI"],
    ]);
    expect(gpus.get(1)!.mode).toBe("AI");
    expect(await backend.holders(1)).toEqual([{ kind: "workload", workloadId: cmd.workload!.workloadId }]);
    expect(gpus.get(0)!.mode).toBe("HASHING");
  });

  it("is DONE at once when the GPU is already in the mode", async () => {
    const { runner, progress } = await setup();
    runner.accept(toCommand({ mode: "HASHING", gpus: [0], miner: true, workload: false, expired: false, waitBefore: false }));
    await runner.settled();
    expect(progress.map((p) => [p.status, p.step])).toEqual([["DONE", "HASHING"]]);
  });

  it("fails, and leaves the GPU free and IDLE, when the workload dies on launch", async () => {
    const { runner, progress, gpus, backend } = await setup({ failStart: (_i, kind) => kind === "workload" });
    runner.accept(toCommand({ mode: "AI", gpus: [0], miner: false, workload: true, expired: false, waitBefore: false }));
    await runner.settled();
    expect(progress.map((p) => [p.status, p.step])).toEqual([
      ["RUNNING", "DRAINING_HASHING"],
      ["RUNNING", "STARTING_AI"],
      ["FAILED", "IDLE"],
    ]);
    expect(progress.at(-1)!.message).toMatch(/starting failed/);
    expect(gpus.get(0)!.mode).toBe("IDLE");
    expect(await backend.holders(0)).toEqual([]);
  });

  it("does not start AI on a GPU the miner still holds after the drain", async () => {
    const { runner, progress, gpus, backend } = await setup({ hangOnStop: () => true });
    runner.accept(toCommand({ mode: "AI", gpus: [0], miner: false, workload: true, expired: false, waitBefore: false }));
    await runner.settled();
    expect(progress.map((p) => [p.status, p.step])).toEqual([
      ["RUNNING", "DRAINING_HASHING"],
      ["FAILED", "HASHING"],
    ]);
    expect(progress.at(-1)!.message).toMatch(/still held by miner/);
    expect(gpus.get(0)!.mode).toBe("HASHING");
    expect((await backend.holders(0)).map((h) => h.kind)).toEqual(["miner"]);
  });

  it("makes a second command for a GPU wait until the first has finished", async () => {
    const { runner, progress } = await setup();
    runner.accept(toCommand({ mode: "AI", gpus: [0], miner: false, workload: true, expired: false, waitBefore: false }));
    runner.accept(toCommand({ mode: "IDLE", gpus: [0], miner: false, workload: false, expired: false, waitBefore: false }));
    await runner.settled();
    expect(progress.map((p) => p.step)).toEqual(["DRAINING_HASHING", "STARTING_AI", "AI", "DRAINING_AI", "IDLE"]);
  });

  it("fails a command for a GPU the rig does not have, and one without a workload to run", async () => {
    const { runner, progress } = await setup();
    runner.accept(toCommand({ mode: "AI", gpus: [9], miner: false, workload: true, expired: false, waitBefore: false }));
    runner.accept(toCommand({ mode: "AI", gpus: [0], miner: false, workload: false, expired: false, waitBefore: false }));
    await runner.settled();
    expect(progress.map((p) => [p.gpuIndex, p.status, p.step, p.message])).toEqual([
      [9, "FAILED", "OFFLINE", "rig has no GPU at index 9"],
      [0, "FAILED", "HASHING", "command has no workload to run"],
    ]);
  });

  it("keeps every GPU single-booked and every command ending DONE in its mode or FAILED, along allowed steps", async () => {
    const spec = fc.record({
      mode: fc.constantFrom<TargetMode>("HASHING", "AI", "IDLE"),
      gpus: fc.uniqueArray(fc.integer({ min: 0, max: MODELS.length - 1 }), { minLength: 1, maxLength: MODELS.length }),
      miner: fc.boolean(),
      workload: fc.boolean(),
      expired: fc.boolean(),
      waitBefore: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(spec, { minLength: 1, maxLength: 25 }),
        fc.array(fc.boolean(), { maxLength: 12 }),
        fc.array(fc.boolean(), { maxLength: 12 }),
        fc.constantFrom<"HASHING" | "IDLE">("HASHING", "IDLE"),
        async (specs, startFailures, hungStops, initialMode) => {
          const failStart = cycle(startFailures);
          const hang = cycle(hungStops);
          const { runner, progress, gpus, doubleBooked } = await setup({ failStart: () => failStart(), hangOnStop: () => hang() }, initialMode);
          const initial = new Map([...gpus].map(([i, g]) => [i, g.mode as GpuMode]));
          const commands = specs.map(toCommand);

          for (const [i, command] of commands.entries()) {
            if (specs[i]!.waitBefore) await runner.settled();
            runner.accept(command);
          }
          await runner.settled();

          expect(doubleBooked).toEqual([]);

          // Each (command, GPU) ends exactly once: DONE in the command's mode, or FAILED.
          for (const command of commands) {
            for (const { index } of command.gpus) {
              const ends = progress.filter((p) => p.commandId === command.id && p.gpuIndex === index && p.status !== "RUNNING");
              expect(ends).toHaveLength(1);
              const last = progress.filter((p) => p.commandId === command.id && p.gpuIndex === index).at(-1)!;
              expect(last).toBe(ends[0]);
              if (last.status === "DONE") expect(last.step).toBe(command.mode);
            }
          }

          // Steps per GPU follow the machine's transitions, and telemetry's mode agrees at the end.
          for (const [index, start] of initial) {
            let mode = start;
            for (const p of progress.filter((q) => q.gpuIndex === index)) {
              if (p.step !== mode) expect(isAllowedStep(mode, p.step), `${mode} → ${p.step}`).toBe(true);
              mode = p.step;
            }
            expect(gpus.get(index)!.mode).toBe(mode);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
