import type { TargetMode } from "@rigshift/protocol";
import type { GpuHolder } from "../backends/backend";
import type { RecordedGpus, RecordedRun } from "./gpu-state-file";

/** Something of ours that runs on a GPU; pid null when only the driver names it. */
export type Runner = { kind: "miner" | "workload"; id: string; pid: number | null };

export type ReconcileInput = {
  /** What the agent's state file says each GPU runs (empty map: no file). */
  recorded: RecordedGpus;
  /** What the driver lists on each GPU now, for every GPU of the rig. */
  holders: ReadonlyMap<number, readonly GpuHolder[]>;
  /** Recorded pids that are still alive. */
  alivePids: ReadonlySet<number>;
  now: Date;
};

export type GpuReconciliation = {
  index: number;
  /** What the GPU is really doing once `stop` is carried out. */
  mode: TargetMode;
  keep: Runner | null;
  /** Ours, to stop before anything else happens on this GPU. */
  stop: Runner[];
  /** Processes the agent did not start (a display server, a user's job): never stopped, never counted as ours. */
  foreign: { pid: number; name: string }[];
  /** The record to write back once `stop` is done. */
  record: RecordedRun | null;
};

const MODE_OF: Record<Runner["kind"], TargetMode> = { miner: "HASHING", workload: "AI" };
const sameRunner = (a: Runner, b: Pick<Runner, "kind" | "id">) => a.kind === b.kind && a.id === b.id;

/**
 * Decide, at agent start, what each GPU really runs and what to stop so that none runs two
 * things of ours. Pure: the caller gathers the driver's holders and which recorded pids live.
 *
 * - Ours is what the driver names as a miner or workload, a process whose pid the record holds,
 *   and the recorded process when its pid is alive even if the driver does not list it yet (a
 *   workload still loading holds no VRAM: missing it is how a second one gets started beside it).
 * - A recorded drain ("stopping") is finished: the agent had already decided to stop it.
 * - Of two or more, the recorded one stays (it is what the gateway was last told); without one,
 *   the first by kind and id, so the choice does not depend on listing order.
 */
export const reconcileGpus = ({ recorded, holders, alivePids, now }: ReconcileInput): GpuReconciliation[] =>
  [...holders.keys()]
    .sort((a, b) => a - b)
    .map((index) => {
      const record = recorded.get(index) ?? null;
      const runners: Runner[] = [];
      const foreign: { pid: number; name: string }[] = [];
      const add = (r: Runner) => {
        const same = runners.find((x) => sameRunner(x, r));
        if (!same) runners.push(r);
        else if (same.pid === null) same.pid = r.pid;
      };
      for (const h of holders.get(index) ?? []) {
        if (h.kind === "miner") add({ kind: "miner", id: h.miner.miner, pid: null });
        else if (h.kind === "workload") add({ kind: "workload", id: h.workloadId, pid: null });
        else if (record && record.pid === h.pid) add({ kind: record.kind, id: record.id, pid: h.pid });
        else foreign.push({ pid: h.pid, name: h.name });
      }
      if (record && record.pid !== null && alivePids.has(record.pid)) add({ kind: record.kind, id: record.id, pid: record.pid });
      // A runner the driver named without a pid is the recorded one when kind and id match.
      if (record?.pid) for (const r of runners) if (r.pid === null && sameRunner(r, record) && alivePids.has(record.pid)) r.pid = record.pid;

      const stop: Runner[] = [];
      let candidates = runners;
      if (record?.phase === "stopping") {
        stop.push(...runners.filter((r) => sameRunner(r, record)));
        candidates = runners.filter((r) => !sameRunner(r, record));
      }
      const ordered = [...candidates].sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id));
      const keep = (record && ordered.find((r) => sameRunner(r, record))) ?? ordered[0] ?? null;
      stop.push(...ordered.filter((r) => r !== keep));

      const kept: RecordedRun | null =
        keep === null
          ? null
          : record && sameRunner(keep, record)
            ? { ...record, pid: keep.pid ?? record.pid, phase: "running" }
            : { kind: keep.kind, id: keep.id, pid: keep.pid, phase: "running", since: now.toISOString() };
      return { index, mode: keep ? MODE_OF[keep.kind] : "IDLE", keep, stop, foreign, record: kept };
    });
