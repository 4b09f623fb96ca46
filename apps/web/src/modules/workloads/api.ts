import { z } from "zod";
import { type WorkloadStatus, ZCreateWorkloadBody, ZWorkloadView } from "@rigshift/protocol";
import { apiFetch } from "../api-client";

/** Browser client of the AI workload queue. */

/** What the form sends: the body as the API reads it (defaults may be left out). */
export type WorkloadSubmission = z.input<typeof ZCreateWorkloadBody>;

const ZWorkloadList = z.object({ workloads: z.array(ZWorkloadView) });

export const workloadsApi = {
  /** Default: open work (PENDING, PLACED, RUNNING). */
  listWorkloads: async (status?: readonly WorkloadStatus[]) =>
    (await apiFetch(`/api/v1/workloads${status ? `?${new URLSearchParams({ status: status.join(",") })}` : ""}`, ZWorkloadList)).workloads,
  submitWorkload: (body: WorkloadSubmission) =>
    apiFetch("/api/v1/workloads", ZWorkloadView, { method: "POST", body: JSON.stringify(body) }),
  cancelWorkload: (id: string) => apiFetch(`/api/v1/workloads/${id}/cancel`, ZWorkloadView, { method: "POST" }),
};

