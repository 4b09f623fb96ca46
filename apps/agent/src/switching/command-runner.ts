import type { CommandProgress, SwitchCommand } from "@rigshift/protocol";
import type { GpuBackend } from "../backends/backend";
import type { Log } from "../log";
import type { GpuState } from "../rig-state";
import { switchGpu } from "./switch-gpu";

export type CommandRunnerOptions = {
  backend: GpuBackend;
  gpus: ReadonlyMap<number, GpuState>;
  /** Where progress goes (the progress spool, in the agent). */
  emit: (progress: CommandProgress) => void;
  now: () => Date;
  log: Log;
  /** How many command ids to remember for spotting redeliveries. */
  rememberIds?: number;
};

/**
 * Runs switch commands: each listed GPU goes through its own queue, so a command for a GPU that
 * is mid-switch waits for the current one, and a redelivered command id is not run twice.
 */
export const createCommandRunner = ({ backend, gpus, emit, now, log, rememberIds = 1_000 }: CommandRunnerOptions) => {
  const seen = new Set<string>();
  const queues = new Map<number, Promise<void>>();
  let running = true;

  const remember = (id: string) => {
    seen.add(id);
    // Set iterates in insertion order: forget the oldest id first.
    if (seen.size > rememberIds) seen.delete(seen.values().next().value as string);
  };

  const runOnGpu = async (command: SwitchCommand, gpuIndex: number) => {
    const report = (p: Omit<CommandProgress, "v" | "commandId" | "at">) => {
      emit({ v: 1, commandId: command.id, at: now().toISOString(), ...p });
      const level = p.status === "FAILED" ? "warn" : "info";
      log[level]({ commandId: command.id, gpuIndex, status: p.status, step: p.step, reason: p.message }, "gpu switch step");
    };
    const gpu = gpus.get(gpuIndex);
    if (!gpu) return report({ gpuIndex, status: "FAILED", step: "OFFLINE", message: `rig has no GPU at index ${gpuIndex}` });
    try {
      await switchGpu({ backend, gpu, command, report, now, running: () => running });
    } catch (err) {
      // A backend call that throws outside a step's own handling (holders() failing): the GPU's
      // state is unknown, say so rather than leave the command open.
      log.error({ err, commandId: command.id, gpuIndex }, "gpu switch crashed");
      report({ gpuIndex, status: "FAILED", step: gpu.mode, message: `agent error: ${(err as Error).message}` });
    }
  };

  return {
    /** Queue a validated command; false when its id was seen before (a redelivery). */
    accept: (command: SwitchCommand): boolean => {
      if (seen.has(command.id)) return false;
      remember(command.id);
      for (const gpuIndex of new Set(command.gpus.map((g) => g.index))) {
        const previous = queues.get(gpuIndex) ?? Promise.resolve();
        const next = previous.then(() => (running ? runOnGpu(command, gpuIndex) : undefined));
        queues.set(gpuIndex, next);
      }
      return true;
    },
    /** Resolves when every queued switch has finished. */
    settled: async () => {
      // Loop: a command accepted while we waited extends a queue.
      for (let pending = [...queues.values()]; ; ) {
        await Promise.all(pending);
        const now = [...queues.values()];
        if (now.every((q, i) => q === pending[i])) return;
        pending = now;
      }
    },
    stop: async () => {
      running = false;
      await Promise.all([...queues.values()]);
    },
  };
};
export type CommandRunner = ReturnType<typeof createCommandRunner>;
