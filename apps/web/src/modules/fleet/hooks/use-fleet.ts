"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type CommandView, type GpuView, isTerminalCommandStatus, type RigView, type SiteView } from "@rigshift/protocol";
import { fleetApi } from "../api";
import { commandKeys, fleetKeys } from "../lib/query";

/** /live pushes keep these fresh; the interval is the fallback when the socket is down. */
export const FLEET_REFETCH_MS = 15_000;
const COMMAND_POLL_MS = 1_000;

// The server rendered the page a moment ago: its data counts as fetched then, not as stale.
const initial = <T,>(data: T | undefined, at: number | undefined) => (data === undefined ? {} : { initialData: data, initialDataUpdatedAt: at });

export const useSites = (initialSites?: SiteView[], renderedAt?: number) =>
  useQuery({ queryKey: fleetKeys.sites(), queryFn: fleetApi.listSites, refetchInterval: FLEET_REFETCH_MS, ...initial(initialSites, renderedAt) });

export const useRigs = (initialRigs?: RigView[], renderedAt?: number) =>
  useQuery({ queryKey: fleetKeys.rigs(), queryFn: fleetApi.listRigs, refetchInterval: FLEET_REFETCH_MS, ...initial(initialRigs, renderedAt) });

export const useGpus = (initialGpus?: GpuView[], renderedAt?: number) =>
  useQuery({ queryKey: fleetKeys.gpus(), queryFn: fleetApi.listGpus, refetchInterval: FLEET_REFETCH_MS, ...initial(initialGpus, renderedAt) });

export const useGpu = (gpuId: string, initialGpu?: GpuView, renderedAt?: number) =>
  useQuery({ queryKey: fleetKeys.gpu(gpuId), queryFn: () => fleetApi.getGpu(gpuId), refetchInterval: FLEET_REFETCH_MS, ...initial(initialGpu, renderedAt) });

export const useGpuSamples = (gpuId: string, windowMs: number) =>
  useQuery({
    queryKey: [...fleetKeys.samples(gpuId), windowMs],
    queryFn: () => {
      const to = new Date();
      return fleetApi.listSamples(gpuId, { from: new Date(to.getTime() - windowMs), to });
    },
    refetchInterval: 60_000,
  });

/** A command's status, polled until it ends (DONE, FAILED, EXPIRED); /live pushes update it sooner. */
export const useCommand = (commandId: string | null) =>
  useQuery<CommandView>({
    queryKey: commandKeys.detail(commandId ?? "none"),
    queryFn: () => fleetApi.getCommand(commandId!),
    enabled: commandId !== null,
    refetchInterval: (q) => (q.state.data && isTerminalCommandStatus(q.state.data.status) ? false : COMMAND_POLL_MS),
  });

/** After a switch is accepted the GPUs' desired mode changed: refetch so the table shows where they are going. */
export const useCreateCommand = () => {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fleetApi.createCommand, onSuccess: () => qc.invalidateQueries({ queryKey: fleetKeys.gpus() }) });
};
