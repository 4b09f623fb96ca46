import type { GpuInventory, MinerAssignment, WorkloadAssignment } from "@rigshift/protocol";
import type { GpuBackend, GpuHolder, GpuReading } from "./backend";
import { findGpuModel, GPU_MODELS, isSimAlgorithm, type GpuModelSpec } from "./models";
import { createPrng, type Prng } from "./prng";

export type SimulatedTimings = {
  /** Launch until the miner holds the GPU. */
  minerStartMs: number;
  /** SIGTERM until the miner has exited. */
  minerStopMs: number;
  workloadStartMs: number;
  /** How long a checkpoint takes; the grace period given by the command caps it. */
  workloadCheckpointMs: number;
  /** The miner's API reports no hashrate while it builds the DAG. */
  minerApiDelayMs: number;
  /** Hashrate ramps up to its tuned value over this long after the miner starts. */
  warmupMs: number;
  /** Time constant of the heatsink: temperature closes ~63% of the gap to its target in this time. */
  thermalLagMs: number;
};

/** Slow enough that a demo shows every step, fast enough that a switch takes a few seconds. */
export const DEMO_TIMINGS: SimulatedTimings = {
  minerStartMs: 1_500,
  minerStopMs: 1_000,
  workloadStartMs: 2_000,
  workloadCheckpointMs: 1_500,
  minerApiDelayMs: 3_000,
  warmupMs: 30_000,
  thermalLagMs: 20_000,
};

/** Faults to inject, so tests can drive the agent's failure paths. Each is asked once per call. */
export type SimulatedFaults = {
  /** The miner or workload dies on launch (bad driver, CUDA OOM). */
  failStart?: (index: number, kind: "miner" | "workload") => boolean;
  /** The process ignores the stop and keeps holding the GPU. */
  hangOnStop?: (index: number, kind: "miner" | "workload") => boolean;
};

export type SimulatedBackendOptions = {
  /** Model name of each GPU, by index; must be one of GPU_MODELS. */
  models: readonly string[];
  seed?: number;
  timings?: Partial<SimulatedTimings>;
  /** What the GPUs run when the backend starts (the demo farm is mining). */
  initialMode?: "HASHING" | "IDLE";
  initialMiner?: MinerAssignment;
  faults?: SimulatedFaults;
  now?: () => Date;
  ambientC?: number;
};

export const DEFAULT_SIM_MINER: MinerAssignment = { coin: "ETC", algorithm: "etchash", miner: "lolminer" };

type SimGpu = {
  inventory: GpuInventory;
  spec: GpuModelSpec;
  prng: Prng;
  holders: GpuHolder[];
  /** When the current miner started; -Infinity for one already warm when the backend started. */
  minerStartedAtMs: number;
  thermal: { tempC: number; atMs: number } | null;
};

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

const fakeUuid = (prng: Prng) => {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(prng.next() * 16).toString(16)).join("");
  return `GPU-${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
};

/** GPUs that hash, train and heat up like the real models, without any hardware. */
export const createSimulatedBackend = (options: SimulatedBackendOptions): GpuBackend => {
  const seed = options.seed ?? 1;
  const t: SimulatedTimings = { ...DEMO_TIMINGS, ...options.timings };
  const now = options.now ?? (() => new Date());
  const ambientC = options.ambientC ?? 28;
  const faults = options.faults ?? {};
  if (options.models.length === 0) throw new Error("simulated rig needs at least one GPU model");
  if (options.models.length > 32) throw new Error("simulated rig can have at most 32 GPUs");

  const initialMiner = options.initialMiner ?? DEFAULT_SIM_MINER;
  const gpus: SimGpu[] = options.models.map((name, index) => {
    const spec = findGpuModel(name);
    if (!spec) {
      throw new Error(`unknown simulated GPU model "${name}"; known models: ${GPU_MODELS.map((m) => m.name).join(", ")}`);
    }
    const idPrng = createPrng(seed * 7919 + index * 104_729 + 1);
    const hashing = (options.initialMode ?? "HASHING") === "HASHING";
    return {
      inventory: {
        index,
        uuid: fakeUuid(idPrng),
        pciBusId: `0000:${(index + 1).toString(16).padStart(2, "0")}:00.0`,
        vendor: spec.vendor,
        model: spec.name,
        vramMb: spec.vramMb,
      },
      spec,
      // One stream per GPU, so a reading does not depend on how many GPUs were sampled before it.
      prng: createPrng(seed * 31 + index),
      holders: hashing ? [{ kind: "miner", miner: initialMiner }] : [],
      minerStartedAtMs: Number.NEGATIVE_INFINITY,
      thermal: null,
    };
  });

  const gpuAt = (index: number): SimGpu => {
    const gpu = gpus[index];
    if (!gpu) throw new Error(`no GPU at index ${index}`);
    return gpu;
  };

  const readGpu = (gpu: SimGpu, nowMs: number): GpuReading => {
    const { spec, prng } = gpu;
    let hashrateHs: number | null = null;
    let powerW = spec.idlePowerW;
    let utilPct = 0;
    let vramUsedMb = 3;
    for (const holder of gpu.holders) {
      if (holder.kind === "miner" && isSimAlgorithm(holder.miner.algorithm)) {
        const fig = spec.algorithms[holder.miner.algorithm];
        const elapsedMs = nowMs - gpu.minerStartedAtMs;
        const ramp = t.warmupMs > 0 ? clamp(elapsedMs / t.warmupMs, 0, 1) : 1;
        if (elapsedMs >= t.minerApiDelayMs) hashrateHs = fig.hashrateHs * ramp * (1 + 0.008 * prng.gaussian());
        // Building the DAG already draws about half the mining power.
        powerW += (fig.powerW - spec.idlePowerW) * (0.5 + 0.5 * ramp);
        utilPct = 100;
        vramUsedMb += fig.vramUsedMb;
      } else if (holder.kind === "workload") {
        powerW += spec.ai.powerW - spec.idlePowerW;
        utilPct = clamp(spec.ai.utilPct + 2 * prng.gaussian(), 0, 100);
        vramUsedMb += spec.ai.vramUsedMb;
      }
    }
    powerW = Math.max(1, powerW * (1 + 0.015 * prng.gaussian()));

    const targetC = ambientC + 45 * (powerW / spec.tdpW);
    if (!gpu.thermal) gpu.thermal = { tempC: targetC, atMs: nowMs };
    const dtMs = Math.max(0, nowMs - gpu.thermal.atMs);
    const follow = t.thermalLagMs > 0 ? 1 - Math.exp(-dtMs / t.thermalLagMs) : 1;
    gpu.thermal = { tempC: gpu.thermal.tempC + (targetC - gpu.thermal.tempC) * follow, atMs: nowMs };
    const tempC = clamp(gpu.thermal.tempC + 0.3 * prng.gaussian(), 0, 150);
    // Stock fan curves: 30% floor, full speed in the low 80s.
    const fanPct = clamp(30 + (tempC - 45) * 1.9, 30, 100);

    return {
      index: gpu.inventory.index,
      hashrateHs: hashrateHs === null ? null : Math.max(0, Math.round(hashrateHs)),
      tempC: Math.round(tempC),
      powerW: round(powerW, 1),
      fanPct: Math.round(fanPct),
      utilPct: Math.round(utilPct),
      vramUsedMb: Math.min(Math.round(vramUsedMb), gpu.spec.vramMb),
    };
  };

  const start = async (indices: number[], kind: "miner" | "workload", delayMs: number, holder: GpuHolder, what: string) => {
    const targets = indices.map(gpuAt);
    await sleep(delayMs);
    for (const gpu of targets) {
      if (faults.failStart?.(gpu.inventory.index, kind)) throw new Error(`${what} exited on launch on GPU ${gpu.inventory.index}`);
    }
    for (const gpu of targets) {
      gpu.holders.push(holder);
      if (kind === "miner") gpu.minerStartedAtMs = now().getTime();
    }
  };

  const stop = async (indices: number[], kind: "miner" | "workload", delayMs: number) => {
    const targets = indices.map(gpuAt);
    await sleep(delayMs);
    for (const gpu of targets) {
      if (faults.hangOnStop?.(gpu.inventory.index, kind)) continue;
      gpu.holders = gpu.holders.filter((h) => h.kind !== kind);
    }
  };

  return {
    inventory: async () => gpus.map((g) => ({ ...g.inventory })),
    sample: async (at) => gpus.map((g) => readGpu(g, at.getTime())),
    startMiner: async (indices, miner) => {
      if (!isSimAlgorithm(miner.algorithm)) {
        indices.forEach(gpuAt);
        await sleep(t.minerStartMs);
        throw new Error(`${miner.miner} has no ${miner.algorithm} kernel for these GPUs`);
      }
      await start(indices, "miner", t.minerStartMs, { kind: "miner", miner: { ...miner } }, miner.miner);
    },
    stopMiner: (indices) => stop(indices, "miner", t.minerStopMs),
    startWorkload: (indices, workload: WorkloadAssignment) =>
      start(indices, "workload", t.workloadStartMs, { kind: "workload", workloadId: workload.workloadId }, "workload"),
    // A zero grace period means kill at once, without waiting for a checkpoint.
    stopWorkload: (indices, graceS) => stop(indices, "workload", Math.min(t.workloadCheckpointMs, graceS * 1000)),
    holders: async (index) => gpuAt(index).holders.map((h) => ({ ...h })),
  };
};
