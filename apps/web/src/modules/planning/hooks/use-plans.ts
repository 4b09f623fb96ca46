"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { fleetKeys } from "@/modules/fleet/lib/query";
import { type PinRequest, planningApi } from "../api";
import { planKeys } from "../lib/query";

/** The scheduler plans about once a minute: half that is fresh enough for the table. */
const PLAN_REFETCH_MS = 30_000;

export const useLatestPlan = () =>
  useQuery({ queryKey: planKeys.latest(), queryFn: planningApi.findLatestPlan, refetchInterval: PLAN_REFETCH_MS });

/** "What if": computed on demand (it plans the whole fleet), never in the background. */
export const usePlanPreview = () =>
  useQuery({ queryKey: planKeys.preview(), queryFn: planningApi.previewPlan, staleTime: Infinity, refetchOnWindowFocus: false });

export const useGpuPlanning = (gpuId: string) =>
  useQuery({ queryKey: planKeys.gpu(gpuId), queryFn: () => planningApi.getGpuPlanning(gpuId), refetchInterval: PLAN_REFETCH_MS });

export const useCoins = (enabled = true) =>
  useQuery({ queryKey: planKeys.coins(), queryFn: planningApi.listCoins, enabled, staleTime: 60_000 });

/** Pin, unpin and maintenance answer the GPU's new state: put it in the cache, refetch what depends on it. */
const usePlanningMutation = <A,>(gpuId: string, fn: (arg: A) => ReturnType<typeof planningApi.getGpuPlanning>) => {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (state) => {
      qc.setQueryData(planKeys.gpu(gpuId), state);
      void qc.invalidateQueries({ queryKey: planKeys.preview() });
      void qc.invalidateQueries({ queryKey: fleetKeys.gpus() });
    },
  });
};

export const usePinGpu = (gpuId: string) => usePlanningMutation(gpuId, (body: PinRequest) => planningApi.pinGpu(gpuId, body));
export const useUnpinGpu = (gpuId: string) => usePlanningMutation(gpuId, () => planningApi.unpinGpu(gpuId));
export const useSetMaintenance = (gpuId: string) =>
  usePlanningMutation(gpuId, (body: { enabled: boolean; note: string | null }) => planningApi.setMaintenance(gpuId, body));
