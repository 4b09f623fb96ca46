import { z } from "zod";
import {
  type PlanTarget,
  ZGpuPlanningState,
  ZMarketQuoteView,
  ZPlanPreview,
  ZPlanView,
} from "@rigshift/protocol";
import { ApiError, apiFetch } from "../api-client";

/** Browser client of the plan, pin and maintenance endpoints. */

const ZLatestMarket = z.object({ at: z.string(), coins: z.array(ZMarketQuoteView), fx: z.array(ZMarketQuoteView) });

export type PinRequest = { mode: "HASHING" | "AI" | "IDLE"; coin?: string; workloadId?: string; until?: string };

export const planningApi = {
  /** The newest recorded plan, or null before the scheduler's first one (the API answers 404). */
  findLatestPlan: async () => {
    try {
      return await apiFetch("/api/v1/plans/latest", ZPlanView);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  },
  previewPlan: () => apiFetch("/api/v1/plans/preview", ZPlanPreview),
  getGpuPlanning: (gpuId: string) => apiFetch(`/api/v1/gpus/${gpuId}/planning`, ZGpuPlanningState),
  pinGpu: (gpuId: string, body: PinRequest) =>
    apiFetch(`/api/v1/gpus/${gpuId}/pin`, ZGpuPlanningState, { method: "PUT", body: JSON.stringify(body) }),
  unpinGpu: (gpuId: string) => apiFetch(`/api/v1/gpus/${gpuId}/pin`, ZGpuPlanningState, { method: "DELETE" }),
  setMaintenance: (gpuId: string, body: { enabled: boolean; note: string | null }) =>
    apiFetch(`/api/v1/gpus/${gpuId}/maintenance`, ZGpuPlanningState, { method: "PUT", body: JSON.stringify(body) }),
  /** Coins with a quote: what a GPU can be pinned to hash. */
  listCoins: async () => (await apiFetch("/api/v1/market/latest", ZLatestMarket)).coins,
};

export type { PlanTarget };
