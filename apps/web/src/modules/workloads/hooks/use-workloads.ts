"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { WorkloadStatus, WorkloadView } from "@rigshift/protocol";
import { planKeys } from "@/modules/planning/lib/query";
import { workloadsApi } from "../api";
import { workloadKeys } from "../lib/query";

/** Placement changes with each plan (about a minute): refetch at that pace. */
const QUEUE_REFETCH_MS = 15_000;

export const ALL_STATUSES: readonly WorkloadStatus[] = ["PENDING", "PLACED", "RUNNING", "DONE", "CANCELLED"];

export const useWorkloads = ({ includeClosed = false, initial }: { includeClosed?: boolean; initial?: WorkloadView[] } = {}) =>
  useQuery({
    queryKey: workloadKeys.list(includeClosed ? ALL_STATUSES : "open"),
    queryFn: () => workloadsApi.listWorkloads(includeClosed ? ALL_STATUSES : undefined),
    refetchInterval: QUEUE_REFETCH_MS,
    ...(initial && !includeClosed ? { initialData: initial } : {}),
  });

/** Names of every workload the page knows (open and closed), for targets like "AI · llama-…". */
export const useWorkloadNames = () => {
  const all = useWorkloads({ includeClosed: true });
  return new Map((all.data ?? []).map((w) => [w.id, w.name]));
};

export const useSubmitWorkload = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: workloadsApi.submitWorkload,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: workloadKeys.all });
      void qc.invalidateQueries({ queryKey: planKeys.preview() });
    },
  });
};

export const useCancelWorkload = () => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: workloadsApi.cancelWorkload,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: workloadKeys.all });
      void qc.invalidateQueries({ queryKey: planKeys.preview() });
    },
  });
};
