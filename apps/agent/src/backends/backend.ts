import type { GpuInventory, GpuSample, MinerAssignment, WorkloadAssignment } from "@rigshift/protocol";

/** What the GPU tool reported for one GPU: the readings of a telemetry row; null means the tool did not say (never 0). */
export type GpuReading = Pick<GpuSample, "index" | "hashrateHs" | "tempC" | "powerW" | "fanPct" | "utilPct" | "vramUsedMb">;

/** A process that holds a GPU, as the driver lists it. */
export type GpuHolder =
  | { kind: "miner"; miner: MinerAssignment }
  | { kind: "workload"; workloadId: string }
  | { kind: "process"; pid: number; name: string };

/**
 * Everything the agent needs from the rig's GPUs. The simulated backend implements it today;
 * the nvidia-smi/rocm-smi backend will implement the same methods.
 */
export interface GpuBackend {
  inventory(): Promise<GpuInventory[]>;
  /** One reading per GPU, by index. */
  sample(now: Date): Promise<GpuReading[]>;
  /** Resolves once the miner holds the GPUs; rejects if it could not start. */
  startMiner(indices: number[], miner: MinerAssignment): Promise<void>;
  /** Resolves once the miner was asked to exit and had its time to do so; check `holders` after. */
  stopMiner(indices: number[]): Promise<void>;
  startWorkload(indices: number[], workload: WorkloadAssignment): Promise<void>;
  /**
   * Checkpoint signal, then up to `graceS` seconds before the workload is killed. May resolve to
   * a line saying how it ended (exit code, time, last log lines) for the operator.
   */
  stopWorkload(indices: number[], graceS: number): Promise<string | void>;
  /** What holds the GPU right now; empty when it is free. */
  holders(index: number): Promise<GpuHolder[]>;
}
