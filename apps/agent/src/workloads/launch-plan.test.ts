import { describe, expect, it } from "vitest";
import { dockerRunArgs, planLaunch } from "./launch-plan";
import { ZWorkloadSpec } from "./workload-spec";

const WORKLOAD_ID = "3b0f5a2e-8c1d-4e6f-9a7b-1c2d3e4f5a6b";

describe("workload launch plan", () => {
  it("runs an NVIDIA container on exactly its GPUs, named after the workload and GPUs", () => {
    const spec = ZWorkloadSpec.parse({
      kind: "docker", workloadId: WORKLOAD_ID, gpus: [0, 1], vendor: "NVIDIA", checkpointGraceS: 30,
      image: "ghcr.io/acme/trainer:1.4", args: ["--epochs", "3"], env: { HF_HOME: "/cache" },
    });
    expect(dockerRunArgs(spec as Extract<typeof spec, { kind: "docker" }>)).toEqual([
      "run", "--rm", "--name", `rigshift-${WORKLOAD_ID}-0-1`, "--label", `RIGSHIFT_WORKLOAD_ID=${WORKLOAD_ID}`,
      "--gpus", '"device=0,1"',
      "-e", "HF_HOME=/cache",
      "ghcr.io/acme/trainer:1.4", "--epochs", "3",
    ]);
    const plan = planLaunch(spec, { PATH: "/usr/bin" });
    expect(plan).toMatchObject({ command: "docker", containerName: `rigshift-${WORKLOAD_ID}-0-1`, env: { PATH: "/usr/bin" } });
  });

  it("passes /dev/kfd and /dev/dri to an AMD container and narrows it to its GPUs", () => {
    const spec = ZWorkloadSpec.parse({ kind: "docker", workloadId: WORKLOAD_ID, gpus: [2], vendor: "AMD", checkpointGraceS: 30, image: "rocm/pytorch" });
    const args = planLaunch(spec, {}).args;
    expect(args).toEqual([
      "run", "--rm", "--name", `rigshift-${WORKLOAD_ID}-2`, "--label", `RIGSHIFT_WORKLOAD_ID=${WORKLOAD_ID}`,
      "--device", "/dev/kfd", "--device", "/dev/dri", "--group-add", "video", "-e", "HIP_VISIBLE_DEVICES=2",
      "rocm/pytorch",
    ]);
    expect(args).not.toContain("--gpus");
  });

  it("replaces any GPU-selecting variable of a process with its own GPUs", () => {
    const nvidia = ZWorkloadSpec.parse({
      kind: "process", workloadId: WORKLOAD_ID, gpus: [3, 1], vendor: "NVIDIA", checkpointGraceS: 10,
      command: "python3", args: ["train.py"], env: { CUDA_VISIBLE_DEVICES: "0,1,2,3", WANDB_MODE: "offline" },
    });
    const plan = planLaunch(nvidia, { PATH: "/usr/bin", HOME: "/home/rig", UNSET: undefined });
    expect(plan).toEqual({
      command: "python3",
      args: ["train.py"],
      env: {
        PATH: "/usr/bin", HOME: "/home/rig", WANDB_MODE: "offline", RIGSHIFT_WORKLOAD_ID: WORKLOAD_ID,
        // PCI order, or CUDA's index 1 need not be nvidia-smi's 1.
        CUDA_DEVICE_ORDER: "PCI_BUS_ID", CUDA_VISIBLE_DEVICES: "3,1",
      },
      containerName: null,
    });
    const amd = planLaunch({ ...nvidia, vendor: "AMD" }, {});
    expect(amd.env).toMatchObject({ HIP_VISIBLE_DEVICES: "3,1" });
    // ROCm's HIP honours CUDA_VISIBLE_DEVICES too: a leftover one would override ours.
    expect(amd.env.CUDA_VISIBLE_DEVICES).toBeUndefined();
  });

  it("refuses a workload with no GPUs or a malformed env name", () => {
    const base = { kind: "process", workloadId: WORKLOAD_ID, vendor: "NVIDIA", checkpointGraceS: 10, command: "x" };
    expect(ZWorkloadSpec.safeParse({ ...base, gpus: [] }).success).toBe(false);
    expect(ZWorkloadSpec.safeParse({ ...base, gpus: [0], env: { "A=B": "c" } }).success).toBe(false);
  });
});
