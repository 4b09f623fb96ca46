import type { CommandProgress, GpuMode, SwitchCommand } from "@rigshift/protocol";
import type { GpuBackend, GpuHolder } from "../backends/backend";
import { DEFAULT_CHECKPOINT_GRACE_S, type GpuState } from "../rig-state";
import { isSteadyMode, planSwitch, restingModeAfterFailure, type DrainStep, type StartStep } from "./gpu-machine";

export type GpuProgress = Pick<CommandProgress, "gpuIndex" | "status" | "step" | "message">;

export type SwitchGpuOptions = {
  backend: GpuBackend;
  gpu: GpuState;
  command: SwitchCommand;
  report: (progress: GpuProgress) => void;
  now: () => Date;
  /** False once the agent is stopping: leave the GPU as it is, the next agent adopts it. */
  running: () => boolean;
};

const describeHolders = (holders: GpuHolder[]) =>
  holders
    .map((h) => (h.kind === "miner" ? `miner ${h.miner.miner}` : h.kind === "workload" ? `workload ${h.workloadId}` : `${h.name} (pid ${h.pid})`))
    .join(", ");

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Take one GPU through one switch command: drain what runs, verify the driver lists nothing on
 * the GPU, start the target's work. Each step is reported; the GPU never ends up running both.
 */
export const switchGpu = async ({ backend, gpu, command, report, now, running }: SwitchGpuOptions): Promise<void> => {
  const { index } = gpu;
  const say = (status: GpuProgress["status"], step: GpuMode, message: string | null) => report({ gpuIndex: index, status, step, message });
  const enter = (step: GpuMode) => {
    gpu.mode = step;
    say("RUNNING", step, null);
  };
  const fail = (step: DrainStep | StartStep, message: string) => {
    gpu.mode = restingModeAfterFailure(step);
    say("FAILED", gpu.mode, message);
  };

  if (now().getTime() > Date.parse(command.expiresAt)) return say("FAILED", gpu.mode, "expired before it started");
  // The per-GPU queue makes this unreachable; refuse rather than guess where a half-switched GPU is.
  if (!isSteadyMode(gpu.mode)) return say("FAILED", gpu.mode, `GPU is mid-switch in ${gpu.mode}`);

  const plan = planSwitch(gpu.mode, command.mode);
  if (!plan.drain && !plan.start) return say("DONE", gpu.mode, `already ${gpu.mode}`);

  // Check the command can finish before stopping anything that earns.
  const miner = command.miner ?? gpu.miner;
  if (command.mode === "HASHING" && !miner) return say("FAILED", gpu.mode, "command has no miner to run");
  if (command.mode === "AI" && !command.workload) return say("FAILED", gpu.mode, "command has no workload to run");

  if (plan.drain) {
    enter(plan.drain);
    try {
      if (plan.drain === "DRAINING_HASHING") await backend.stopMiner([index]);
      else {
        const ended = await backend.stopWorkload([index], gpu.workload?.checkpointGraceS ?? DEFAULT_CHECKPOINT_GRACE_S);
        // How the workload ended (exit code, checkpoint time, last log lines) goes into the command's history.
        if (ended) say("RUNNING", plan.drain, ended);
      }
    } catch (err) {
      return fail(plan.drain, `stopping failed: ${reason(err)}`);
    }
    const holders = await backend.holders(index);
    if (holders.length > 0) return fail(plan.drain, `GPU still held by ${describeHolders(holders)} after the drain`);
    gpu.miner = null;
    gpu.workload = null;
  }

  if (plan.start) {
    if (!running()) return;
    enter(plan.start);
    // Something the agent did not start may have taken the GPU since; two workloads on one GPU
    // means an OOM for both, so refuse.
    const holders = await backend.holders(index);
    if (holders.length > 0) return fail(plan.start, `GPU is held by ${describeHolders(holders)}`);
    try {
      if (plan.start === "STARTING_HASHING" && miner) {
        await backend.startMiner([index], miner);
        gpu.miner = miner;
      } else if (plan.start === "STARTING_AI" && command.workload) {
        await backend.startWorkload([index], command.workload);
        gpu.workload = command.workload;
      }
    } catch (err) {
      return fail(plan.start, `starting failed: ${reason(err)}`);
    }
  }

  gpu.mode = plan.target;
  say("DONE", plan.target, null);
};
