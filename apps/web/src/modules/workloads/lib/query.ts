import type { WorkloadStatus } from "@rigshift/protocol";

/** Query keys of the workload queue. */
export const workloadKeys = {
  all: ["workloads"] as const,
  list: (status: readonly WorkloadStatus[] | "open") => [...workloadKeys.all, "list", status === "open" ? "open" : status.join(",")] as const,
};
