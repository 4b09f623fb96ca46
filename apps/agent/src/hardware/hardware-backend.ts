import type { GpuInventory, GpuVendor } from "@rigshift/protocol";
import type { GpuHolder, GpuReading } from "../backends/backend";
import { createRigProcesses, RunRefusedError, type ReconcilingBackend, type RigProcessOptions, type RunTarget } from "../backends/rig-processes";
import { setClocks, setPowerLimit, type ClockSettings, type ControlResult, type ToolTarget } from "./gpu-controls";
import type { GpuProcess, GpuStatus } from "./gpu-status";
import { readRigGpus, type GpuTools, type ReadingsMissing, type RigGpus } from "./read-gpus";
import { DEFAULT_TOOL_TIMEOUT_MS } from "./tool-runner";

/**
 * VRAM in use that no listed process accounts for. In a container nvidia-smi cannot see other PID
 * namespaces' processes (the RTX 3080 sample: 9184 MiB used, no process listed); a desktop's own
 * buffers stay well under this.
 */
export const UNLISTED_VRAM_HOLDER_MB = 1024;

export type HardwareBackend = ReconcilingBackend & {
  /** Everything both tools said just now, plus which tool gave nothing. */
  readGpus(): Promise<RigGpus>;
  setPowerLimit(index: number, watts: number): Promise<ControlResult>;
  setClocks(index: number, clocks: ClockSettings): Promise<ControlResult>;
};

/** The nvidia-smi/rocm-smi tools, plus where and how miners and workloads run (backends/rig-processes.ts). */
export type HardwareBackendOptions = GpuTools & RigProcessOptions;

type Slot = { index: number; vendor: "nvidia" | "amd"; uuid: string | null; pciBusId: string | null };

const PROTOCOL_PCI = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

const toInventory = (gpu: GpuStatus): GpuInventory | null => {
  if (gpu.vramMb === null || gpu.vramMb <= 0) return null;
  return {
    index: gpu.index,
    uuid: gpu.uuid,
    // The wire format takes a 4-digit domain; a VMD domain (10000+) is sent as unknown.
    pciBusId: gpu.pciBusId !== null && PROTOCOL_PCI.test(gpu.pciBusId) ? gpu.pciBusId : null,
    vendor: gpu.vendor === "nvidia" ? "NVIDIA" : "AMD",
    model: gpu.model ?? (gpu.vendor === "nvidia" ? "NVIDIA GPU" : "AMD GPU"),
    vramMb: gpu.vramMb,
  };
};

/** The GPU of this read that is the slot's GPU: same PCI address, else same UUID. */
const findGpu = (read: RigGpus, slot: Slot): GpuStatus | null =>
  read.gpus.find((g) => g.vendor === slot.vendor && slot.pciBusId !== null && g.pciBusId === slot.pciBusId) ??
  read.gpus.find((g) => g.vendor === slot.vendor && slot.uuid !== null && g.uuid === slot.uuid) ??
  null;

const describeMissing = (missing: readonly ReadingsMissing[]) => missing.map((m) => `${m.tool}: ${m.reason}`).join("; ");

/**
 * GPUs as nvidia-smi and rocm-smi see them. The rig indices are fixed by the first `inventory()`
 * and each later reading is matched to its GPU by PCI address (then UUID), not by position: when a
 * GPU falls off the bus, nvidia-smi renumbers the ones after it, and the gateway's GPU ids must not
 * move with it.
 */
export const createHardwareBackend = ({ nvidiaSmi, rocmSmi, timeoutMs = DEFAULT_TOOL_TIMEOUT_MS, ...processOptions }: HardwareBackendOptions): HardwareBackend => {
  let slots: Slot[] | null = null;
  const rig = createRigProcesses(processOptions);
  const read = () => readRigGpus({ nvidiaSmi, rocmSmi, timeoutMs });

  const inventory = async (): Promise<GpuInventory[]> => {
    const now = await read();
    if (now.gpus.length === 0 && now.missing.length > 0) throw new Error(`no GPU readings: ${describeMissing(now.missing)}`);
    const list = now.gpus.flatMap((g) => toInventory(g) ?? []);
    slots = list.map((g) => ({ index: g.index, vendor: g.vendor === "NVIDIA" ? "nvidia" : "amd", uuid: g.uuid, pciBusId: g.pciBusId }));
    return list;
  };

  const slotsNow = async (): Promise<Slot[]> => {
    if (!slots) await inventory();
    return slots ?? [];
  };

  const slotAt = async (index: number): Promise<Slot> => {
    const slot = (await slotsNow()).find((s) => s.index === index);
    if (!slot) throw new Error(`no GPU at index ${index}`);
    return slot;
  };

  /** The GPU in a fresh read, or an error saying why it cannot be seen (tool failed, GPU gone). */
  const locate = async (index: number): Promise<{ slot: Slot; now: RigGpus; gpu: GpuStatus }> => {
    const slot = await slotAt(index);
    const now = await read();
    const gpu = findGpu(now, slot);
    if (gpu) return { slot, now, gpu };
    const tool = slot.vendor === "nvidia" ? "nvidia-smi" : "rocm-smi";
    const failed = now.missing.find((m) => m.tool === tool);
    throw new Error(failed ? `GPU ${index}: readings missing: ${failed.reason}` : `GPU ${index} (${slot.pciBusId ?? slot.uuid}) is no longer listed by ${tool}`);
  };

  const targetOf = async (index: number): Promise<ToolTarget> => {
    const { slot, now, gpu } = await locate(index);
    if (slot.vendor === "nvidia") {
      if (!nvidiaSmi) throw new Error("nvidia-smi is not available");
      // -i takes an index, UUID or bus id; the UUID stays right if indices shift.
      return { vendor: "nvidia", command: nvidiaSmi, id: gpu.uuid ?? String(gpu.index) };
    }
    const card = now.amdCards.get(gpu.index);
    if (!rocmSmi || card === undefined) throw new Error("rocm-smi is not available");
    return { vendor: "amd", command: rocmSmi, card };
  };

  const control = async (index: number, act: (target: ToolTarget) => Promise<ControlResult>): Promise<ControlResult> => {
    try {
      return await act(await targetOf(index));
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  };

  /**
   * Rig indices to the vendor's own device numbers: NVIDIA come first, so theirs are the rig index;
   * AMD ones count from 0 after them (HIP order). One run is one vendor's GPUs.
   */
  const runTarget = async (indices: number[]): Promise<RunTarget> => {
    const known = await slotsNow();
    const picked = await Promise.all(indices.map(slotAt));
    const vendors = new Set(picked.map((s) => s.vendor));
    if (vendors.size !== 1) throw new RunRefusedError(`GPUs ${indices.join(",")} mix NVIDIA and AMD: one miner or workload runs on one vendor's GPUs`);
    const vendor = picked[0]!.vendor;
    const sameVendor = known.filter((s) => s.vendor === vendor).map((s) => s.index);
    return { indices, vendor: (vendor === "nvidia" ? "NVIDIA" : "AMD") satisfies GpuVendor, devices: picked.map((s) => sameVendor.indexOf(s.index)) };
  };

  /** What the driver lists on each GPU now; a GPU it gives no list for counts as listing nothing. */
  const driverHolders = async (): Promise<Map<number, GpuHolder[]>> => {
    const known = await slotsNow();
    const now = await read();
    return new Map(
      known.map((slot) => {
        const gpu = findGpu(now, slot);
        const listed = gpu ? now.processes.get(gpu.index) : null;
        return [slot.index, gpu && listed ? holdersOf(gpu, listed) : []];
      }),
    );
  };

  return {
    inventory,
    readGpus: read,

    sample: async (): Promise<GpuReading[]> => {
      const known = await slotsNow();
      const now = await read();
      // A GPU the tool did not list this time gets a reading of nulls: a gap on the dashboard, not zeros.
      return known.map((slot) => {
        const gpu = findGpu(now, slot);
        return {
          index: slot.index,
          // nvidia-smi and rocm-smi know nothing of hashes: the miner's own API does.
          hashrateHs: rig.minerHashrate(slot.index),
          tempC: gpu?.tempC ?? null,
          powerW: gpu?.powerW ?? null,
          fanPct: gpu?.fanPct ?? null,
          utilPct: gpu?.utilPct ?? null,
          vramUsedMb: gpu?.vramUsedMb ?? null,
        };
      });
    },

    /**
     * Throws when it cannot tell (tool failed, no process list, GPU gone): the switch then fails
     * rather than starting a second workload on a GPU that may be busy.
     */
    holders: async (index: number): Promise<GpuHolder[]> => {
      const { now, gpu } = await locate(index);
      const processes = now.processes.get(gpu.index);
      if (!processes) throw new Error(`GPU ${index}: the driver gives no process list, cannot verify it is free`);
      // Ours as miner/workload (even before it touches VRAM), then the driver's list less our own
      // pids; VRAM nobody lists is ours too while we run something there (a container's processes).
      const mine = rig.ownHolders(index);
      const listed = holdersOf(gpu, processes).filter((h) => h.kind !== "process" || !(mine.pids.has(h.pid) || (h.pid === 0 && mine.holders.length > 0)));
      return [...mine.holders, ...listed];
    },

    startMiner: async (indices, miner) => rig.startMiner(await runTarget(indices), miner),
    stopMiner: (indices) => rig.stopMiner(indices),
    startWorkload: async (indices, workload) => rig.startWorkload(await runTarget(indices), workload),
    stopWorkload: (indices, graceS) => rig.stopWorkload(indices, graceS),
    reconcile: async (now) => rig.reconcile(await driverHolders(), now),

    setPowerLimit: (index, watts) => control(index, (target) => setPowerLimit(target, watts, timeoutMs)),
    setClocks: (index, clocks) => control(index, (target) => setClocks(target, clocks, timeoutMs)),
  };
};

/**
 * What holds a GPU: every listed process except pure graphics clients (Xorg, a desktop shell on
 * the display GPU share it with CUDA work without harm), plus an "unlisted" holder when much more
 * VRAM is in use than the listed processes account for (processes in another container).
 */
export const holdersOf = (gpu: Pick<GpuStatus, "vramUsedMb">, processes: readonly GpuProcess[]): GpuHolder[] => {
  const holders: GpuHolder[] = processes
    .filter((p) => p.type !== "G")
    .map((p) => ({ kind: "process", pid: p.pid, name: p.name || "(unnamed)" }));
  const listedMb = processes.reduce((sum, p) => sum + (p.usedMemoryMb ?? 0), 0);
  if (holders.length === 0 && gpu.vramUsedMb !== null && gpu.vramUsedMb - listedMb > UNLISTED_VRAM_HOLDER_MB) {
    holders.push({ kind: "process", pid: 0, name: `unlisted process using ${gpu.vramUsedMb - listedMb} MiB of VRAM (another container?)` });
  }
  return holders;
};
