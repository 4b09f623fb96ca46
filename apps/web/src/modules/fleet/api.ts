import { z } from "zod";
import { type CreateCommandBody, ZCommandView, ZGpuSamplePoint, ZGpuView, ZRigView, ZSiteView } from "@rigshift/protocol";
import { apiFetch } from "../api-client";

/** Browser client of the fleet and command endpoints. */

const ZSiteList = z.object({ sites: z.array(ZSiteView) });
const ZRigList = z.object({ rigs: z.array(ZRigView) });
const ZGpuList = z.object({ gpus: z.array(ZGpuView) });
const ZSampleSeries = z.object({ gpuId: z.uuid(), from: z.string(), to: z.string(), samples: z.array(ZGpuSamplePoint) });
const ZCommandCreated = z.object({ id: z.uuid() });

export const fleetApi = {
  listSites: async () => (await apiFetch("/api/v1/sites", ZSiteList)).sites,
  listRigs: async () => (await apiFetch("/api/v1/rigs", ZRigList)).rigs,
  listGpus: async () => (await apiFetch("/api/v1/gpus", ZGpuList)).gpus,
  getGpu: (gpuId: string) => apiFetch(`/api/v1/gpus/${gpuId}`, ZGpuView),
  listSamples: (gpuId: string, { from, to }: { from: Date; to: Date }) =>
    apiFetch(`/api/v1/gpus/${gpuId}/samples?${new URLSearchParams({ from: from.toISOString(), to: to.toISOString() })}`, ZSampleSeries),
  createCommand: (body: Omit<CreateCommandBody, "ttlS"> & { ttlS?: number }) =>
    apiFetch("/api/v1/commands", ZCommandCreated, { method: "POST", body: JSON.stringify(body) }),
  getCommand: (commandId: string) => apiFetch(`/api/v1/commands/${commandId}`, ZCommandView),
};
