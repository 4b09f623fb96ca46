"use client";

import Link from "next/link";
import type { WorkloadStatus, WorkloadView } from "@rigshift/protocol";
import { Decimal } from "@rigshift/economics";
import { formatVramGb } from "@/lib/format";
import { LocalTime } from "@/modules/planning/components/local-time";
import { formatDecimal } from "@/modules/planning/lib/format-plan";
import { useLatestPlan } from "@/modules/planning/hooks/use-plans";
import { useCancelWorkload } from "../hooks/use-workloads";

const th = "px-2 py-1.5 text-left text-[11px] font-medium uppercase tracking-wide text-slate-400";
const td = "px-2 py-1 align-top tabular-nums";

const STATUS_STYLE: Record<WorkloadStatus, string> = {
  PENDING: "bg-slate-500/15 text-slate-300 ring-slate-500/40",
  PLACED: "bg-sky-500/15 text-sky-300 ring-sky-500/40",
  RUNNING: "bg-violet-500/15 text-violet-300 ring-violet-500/40",
  DONE: "bg-emerald-500/10 text-emerald-300 ring-emerald-500/30",
  CANCELLED: "bg-rose-500/10 text-rose-300 ring-rose-500/30",
};

/** Where the latest plan runs the work: "boden-r01 #0, #1 · amarillo-r03 #2". */
const Placement = ({ w, unplacedReason }: { w: WorkloadView; unplacedReason: string | undefined }) => {
  if (!w.placement.length) {
    if (w.status !== "PENDING") return <span className="text-slate-600">—</span>;
    return (
      <span data-testid="workload-unplaced" className="text-amber-300/90">
        {unplacedReason ? `not placed: ${unplacedReason}` : "not placed yet: waiting for the next plan"}
      </span>
    );
  }
  const byRig = new Map<string, { name: string; gpus: { id: string; index: number }[] }>();
  for (const p of w.placement) {
    const rig = byRig.get(p.rigId) ?? { name: p.rigName, gpus: [] };
    rig.gpus.push({ id: p.gpuId, index: p.index });
    byRig.set(p.rigId, rig);
  }
  return (
    <span data-testid="workload-placement">
      {[...byRig.values()].map((rig, i) => (
        <span key={rig.name}>
          {i ? " · " : ""}
          {rig.name}{" "}
          {rig.gpus
            .sort((a, b) => a.index - b.index)
            .map((g, j) => (
              <span key={g.id}>
                {j ? ", " : ""}
                <Link href={`/gpus/${g.id}`} className="text-sky-400 hover:underline">
                  #{g.index}
                </Link>
              </span>
            ))}
        </span>
      ))}
    </span>
  );
};

/** The AI queue: what each customer asked for, what it pays, and where the plan runs it. */
export const WorkloadTable = ({ workloads, canWrite }: { workloads: WorkloadView[]; canWrite: boolean }) => {
  const cancel = useCancelWorkload();
  const plan = useLatestPlan().data;
  const unplaced = new Map((plan?.unplaced ?? []).map((u) => [u.workloadId, u.reason]));
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-800 bg-slate-900/40">
      <table className="w-full border-collapse text-sm">
        <thead className="border-b border-slate-800">
          <tr>
            <th className={th}>Workload</th>
            <th className={th}>Customer</th>
            <th className={`${th} text-right`}>GPUs</th>
            <th className={`${th} text-right`}>Min VRAM GB</th>
            <th className={th}>Same rig</th>
            <th className={`${th} text-right`}>Hours</th>
            <th className={`${th} text-right`}>$/GPU-h</th>
            <th className={`${th} text-right`}>Priority</th>
            <th className={th}>Earliest start</th>
            <th className={th}>Deadline</th>
            <th className={th}>Status</th>
            <th className={th}>Placement</th>
            {canWrite ? <th className={th} /> : null}
          </tr>
        </thead>
        <tbody>
          {workloads.length === 0 ? (
            <tr>
              <td colSpan={canWrite ? 13 : 12} className="px-2 py-3 text-center text-slate-400">
                The queue is empty.
              </td>
            </tr>
          ) : null}
          {workloads.map((w) => (
            <tr key={w.id} data-testid={`workload-row-${w.id}`} data-name={w.name} data-status={w.status} className="border-b border-slate-800/60">
              <td className="px-2 py-1 align-top">
                <div className="text-slate-100">{w.name}</div>
                <div className="text-xs text-slate-500">{w.source ? `from ${w.source.name}` : "submitted here"}</div>
              </td>
              <td className="px-2 py-1 align-top text-slate-300">{w.customer}</td>
              <td className={`${td} text-right`}>{w.gpusNeeded}</td>
              <td className={`${td} text-right`}>{formatVramGb(w.minVramMb)}</td>
              <td className="px-2 py-1 align-top">{w.sameRig ? "yes" : "no"}</td>
              <td className={`${td} text-right`}>{w.expectedHours === null ? <span className="text-slate-500">open</span> : new Decimal(w.expectedHours).toDecimalPlaces(2).toString()}</td>
              <td data-testid="workload-price" className={`${td} text-right`}>
                {formatDecimal(w.usdPerGpuHour, 2)}
              </td>
              <td className={`${td} text-right`}>{w.priority}</td>
              <td className="px-2 py-1 align-top text-xs text-slate-300">{w.earliestStart ? <LocalTime iso={w.earliestStart} relative={false} /> : "now"}</td>
              <td className="px-2 py-1 align-top text-xs text-slate-300">{w.deadline ? <LocalTime iso={w.deadline} /> : "none"}</td>
              <td className="px-2 py-1 align-top">
                <span data-testid="workload-status" className={`rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${STATUS_STYLE[w.status]}`}>
                  {w.status}
                </span>
              </td>
              <td className="px-2 py-1 align-top text-xs text-slate-300">
                <Placement w={w} unplacedReason={unplaced.get(w.id)} />
              </td>
              {canWrite ? (
                <td className="px-2 py-1 align-top">
                  {w.status === "DONE" || w.status === "CANCELLED" ? null : (
                    <button
                      type="button"
                      data-testid="workload-cancel"
                      disabled={cancel.isPending}
                      onClick={() => {
                        if (window.confirm(`Cancel ${w.name} for ${w.customer}?${w.status === "RUNNING" ? " It is running: the next plan stops it after its checkpoint grace." : ""}`)) cancel.mutate(w.id);
                      }}
                      className="rounded border border-slate-700 px-2 py-0.5 text-xs text-slate-200 hover:bg-rose-900/40 disabled:opacity-40"
                    >
                      Cancel
                    </button>
                  )}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {cancel.isError ? (
        <p role="alert" className="px-2 py-1 text-sm text-rose-300">
          Not cancelled: {cancel.error.message}
        </p>
      ) : null}
    </div>
  );
};
