"use client";

import { useState } from "react";
import type { WorkloadView } from "@rigshift/protocol";
import { useWorkloads } from "../hooks/use-workloads";
import { SubmitWorkloadForm } from "./submit-workload-form";
import { WorkloadTable } from "./workload-table";

/** The queue (live), the submit form for operators and admins. */
export const WorkloadsView = ({ initialWorkloads, canWrite }: { initialWorkloads: WorkloadView[]; canWrite: boolean }) => {
  const [includeClosed, setIncludeClosed] = useState(false);
  const list = useWorkloads({ includeClosed, initial: initialWorkloads });
  const workloads = list.data ?? [];
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-lg font-semibold text-slate-100">AI workloads</h1>
        <label className="flex items-center gap-1.5 text-sm text-slate-400">
          <input type="checkbox" data-testid="workloads-include-closed" checked={includeClosed} onChange={(e) => setIncludeClosed(e.target.checked)} className="accent-sky-500" />
          Show done and cancelled
        </label>
      </div>
      <p className="text-sm text-slate-400">
        The planner places queued work on GPUs that fit (VRAM, same rig) when it pays more than hashing; placement is the latest plan&apos;s.
        Prices are what the customer pays per GPU-hour, in USD.
      </p>
      {list.isError ? <p className="text-sm text-rose-300">The queue could not be loaded: {list.error.message}</p> : null}
      <WorkloadTable workloads={workloads} canWrite={canWrite} />
      {canWrite ? <SubmitWorkloadForm /> : null}
    </div>
  );
};
