import type { GpuVendor } from "@rigshift/protocol";
import type { WorkloadSpec } from "./workload-spec";

/** What to spawn for a workload: pure, so the exact argv is tested without Docker or GPUs. */
export type LaunchPlan = {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** The container's name for a Docker workload: SIGKILL goes to it via `docker kill`. */
  containerName: string | null;
};

/** Marks a process as this agent's, so a restarted agent can tell its workloads from strangers'. */
export const WORKLOAD_ID_ENV = "RIGSHIFT_WORKLOAD_ID";

/**
 * Restrict a process to its GPUs. CUDA numbers GPUs fastest-first unless told PCI order; without
 * CUDA_DEVICE_ORDER, index 0 may be another GPU than nvidia-smi's 0, and two workloads collide.
 */
export const gpuVisibilityEnv = (vendor: GpuVendor, gpus: readonly number[]): Record<string, string> =>
  vendor === "NVIDIA"
    ? { CUDA_DEVICE_ORDER: "PCI_BUS_ID", CUDA_VISIBLE_DEVICES: gpus.join(",") }
    : { HIP_VISIBLE_DEVICES: gpus.join(",") };

/** Every variable that picks GPUs for CUDA or ROCm (HIP also reads CUDA_VISIBLE_DEVICES). */
const GPU_SELECTING_ENV = ["CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL"];

export const containerNameOf = (spec: Pick<WorkloadSpec, "workloadId" | "gpus">) => `rigshift-${spec.workloadId}-${spec.gpus.join("-")}`;

/** `docker …` arguments for a container workload; the container is removed when it exits. */
export const dockerRunArgs = (spec: Extract<WorkloadSpec, { kind: "docker" }>): string[] => {
  const name = containerNameOf(spec);
  const gpuArgs =
    spec.vendor === "NVIDIA"
      ? // The quotes are part of the value: docker reads --gpus as CSV, and "device=0,1" unquoted
        // would be two fields (device=0 and a stray 1).
        ["--gpus", `"device=${spec.gpus.join(",")}"`]
      : // ROCm passes every GPU through /dev/kfd + /dev/dri; HIP_VISIBLE_DEVICES narrows it to ours.
        ["--device", "/dev/kfd", "--device", "/dev/dri", "--group-add", "video", "-e", `HIP_VISIBLE_DEVICES=${spec.gpus.join(",")}`];
  const envArgs = Object.entries(spec.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  return ["run", "--rm", "--name", name, "--label", `${WORKLOAD_ID_ENV}=${spec.workloadId}`, ...gpuArgs, ...envArgs, spec.image, ...spec.args];
};

/**
 * How to start a workload. `baseEnv` is the agent's own environment (PATH, HOME), passed in by the
 * caller; every GPU-selecting variable from either is replaced by ours, so a workload cannot widen its GPUs.
 */
export const planLaunch = (spec: WorkloadSpec, baseEnv: Readonly<Record<string, string | undefined>>): LaunchPlan => {
  const inherited = Object.fromEntries(Object.entries(baseEnv).filter((e): e is [string, string] => e[1] !== undefined));
  if (spec.kind === "docker") {
    return { command: "docker", args: dockerRunArgs(spec), env: inherited, containerName: containerNameOf(spec) };
  }
  const env: Record<string, string> = { ...inherited, ...spec.env };
  for (const name of GPU_SELECTING_ENV) delete env[name];
  return {
    command: spec.command,
    args: spec.args,
    env: { ...env, [WORKLOAD_ID_ENV]: spec.workloadId, ...gpuVisibilityEnv(spec.vendor, spec.gpus) },
    containerName: null,
  };
};
