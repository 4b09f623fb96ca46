"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { SiteSettings, TariffBody, UpdateSiteSettingsBody } from "@rigshift/protocol";
import { fleetKeys } from "@/modules/fleet/lib/query";
import { planKeys } from "@/modules/planning/lib/query";
import { sitesApi } from "../api";
import { siteKeys } from "../lib/query";

export const useSiteSettings = (siteId: string, initial?: SiteSettings) =>
  useQuery({ queryKey: siteKeys.settings(siteId), queryFn: () => sitesApi.getSettings(siteId), ...(initial ? { initialData: initial } : {}) });

/** The last day of hourly prices is enough to see the trace is there and current. */
export const useEnergyPrices = (siteId: string, enabled: boolean) =>
  useQuery({ queryKey: siteKeys.energyPrices(siteId), queryFn: () => sitesApi.listEnergyPrices(siteId, 48), enabled });

/** A settings change moves the next plan, and the power cap shows on the fleet page. */
const useAfterChange = (siteId: string) => {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: siteKeys.settings(siteId) });
    void qc.invalidateQueries({ queryKey: planKeys.preview() });
    void qc.invalidateQueries({ queryKey: fleetKeys.sites() });
  };
};

export const useUpdateSiteSettings = (siteId: string) => {
  const qc = useQueryClient();
  const after = useAfterChange(siteId);
  return useMutation({
    mutationFn: (body: UpdateSiteSettingsBody) => sitesApi.updateSettings(siteId, body),
    onSuccess: (settings) => {
      qc.setQueryData(siteKeys.settings(siteId), settings);
      after();
    },
  });
};

export const useSetTariff = (siteId: string) => {
  const after = useAfterChange(siteId);
  return useMutation({ mutationFn: (body: TariffBody) => sitesApi.setTariff(siteId, body), onSuccess: after });
};

export const useImportEnergyCsv = (siteId: string) => {
  const qc = useQueryClient();
  const after = useAfterChange(siteId);
  return useMutation({
    mutationFn: (csv: string) => sitesApi.importEnergyCsv(siteId, csv),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: siteKeys.energyPrices(siteId) });
      after();
    },
  });
};
