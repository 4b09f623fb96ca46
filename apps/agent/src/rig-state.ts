import type { GpuMode, MinerAssignment, WorkloadAssignment } from "@rigshift/protocol";
import type { GpuBackend, GpuHolder } from "./backends/backend";
import { canReconcile } from "./backends/rig-processes";
import type { GpuReconciliation } from "./workloads/reconcile";

/** The agent's view of one GPU: its mode and what it runs. Telemetry reports it; switching changes it. */
export type GpuState = {
  index: number;
  mode: GpuMode;
  miner: MinerAssignment | null;
  workload: WorkloadAssignment | null;
};

export type RigState = ReadonlyMap<number, GpuState>;

/** Grace given to a workload the agent found running (it did not start it, so it never saw its own). */
export const DEFAULT_CHECKPOINT_GRACE_S = 60;

const stateFromHolders = (index: number, holders: GpuHolder[]): GpuState => {
  for (const h of holders) {
    if (h.kind === "miner") return { index, mode: "HASHING", miner: h.miner, workload: null };
    if (h.kind === "workload") {
      return { index, mode: "AI", miner: null, workload: { workloadId: h.workloadId, checkpointGraceS: DEFAULT_CHECKPOINT_GRACE_S } };
    }
  }
  // Free, or held by a process the agent did not start: nothing of ours runs there.
  return { index, mode: "IDLE", miner: null, workload: null };
};

/**
 * A GPU after the start-up reconciliation: what it really runs. An adopted miner is known by name
 * only (the state file keeps no more), so its assignment is null: telemetry reports no coin for it.
 */
const stateFromReconciliation = ({ index, mode, keep }: GpuReconciliation): GpuState => ({
  index,
  mode,
  miner: null,
  workload: keep?.kind === "workload" ? { workloadId: keep.id, checkpointGraceS: DEFAULT_CHECKPOINT_GRACE_S } : null,
});

/**
 * On start-up the agent adopts what already runs, so a restarted agent does not disturb mining
 * GPUs. A backend that runs real processes first reconciles what a crashed agent left (its state
 * file, live pids, the driver's list): it stops the extras, so no GPU runs two things of ours.
 */
export const loadRigState = async (backend: GpuBackend, now: Date = new Date()): Promise<Map<number, GpuState>> => {
  const gpus = await backend.inventory();
  if (canReconcile(backend)) {
    const known = new Set(gpus.map((g) => g.index));
    const reconciled = (await backend.reconcile(now)).filter((r) => known.has(r.index));
    return new Map(reconciled.map((r) => [r.index, stateFromReconciliation(r)]));
  }
  const states = await Promise.all(gpus.map(async (g) => stateFromHolders(g.index, await backend.holders(g.index))));
  return new Map(states.map((s) => [s.index, s]));
};
