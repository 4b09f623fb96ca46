/** Query keys of sites' planning settings. */
export const siteKeys = {
  all: ["sites"] as const,
  settings: (siteId: string) => [...siteKeys.all, siteId, "settings"] as const,
  energyPrices: (siteId: string) => [...siteKeys.all, siteId, "energy-prices"] as const,
};
