import { z } from "zod";
import {
  type TariffBody,
  type UpdateSiteSettingsBody,
  ZEnergyPriceView,
  ZImportResult,
  ZSiteSettings,
  ZTariffView,
} from "@rigshift/protocol";
import { apiFetch } from "../api-client";

/** Browser client of a site's planning settings, tariff and energy price trace. */

const ZEnergyPrices = z.object({ siteId: z.string(), prices: z.array(ZEnergyPriceView) });

export const sitesApi = {
  getSettings: (siteId: string) => apiFetch(`/api/v1/sites/${siteId}/settings`, ZSiteSettings),
  updateSettings: (siteId: string, body: UpdateSiteSettingsBody) =>
    apiFetch(`/api/v1/sites/${siteId}/settings`, ZSiteSettings, { method: "PATCH", body: JSON.stringify(body) }),
  setTariff: (siteId: string, body: TariffBody) =>
    apiFetch(`/api/v1/sites/${siteId}/tariff`, ZTariffView, { method: "PUT", body: JSON.stringify(body) }),
  /** Newest first. */
  listEnergyPrices: async (siteId: string, limit: number) =>
    (await apiFetch(`/api/v1/sites/${siteId}/energy-prices?limit=${limit}`, ZEnergyPrices)).prices,
  /** A price trace CSV (`ts,price_per_mwh[,currency]`), whole file or nothing. */
  importEnergyCsv: (siteId: string, csv: string) =>
    apiFetch(`/api/v1/sites/${siteId}/energy-prices/import`, ZImportResult, { method: "POST", body: csv, headers: { "content-type": "text/csv" } }),
};
