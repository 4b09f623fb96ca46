import type { ApiDeps } from "./deps";
import type { Handler } from "./http";
import { commandRoutes } from "./routes/commands";
import { fleetRoutes } from "./routes/fleet";
import { healthRoutes } from "./routes/health";
import { marketRoutes } from "./routes/market";
import { metricsRoutes } from "./routes/metrics";
import { planRoutes } from "./routes/plans";
import { reportRoutes } from "./routes/reports";
import { sessionRoutes } from "./routes/session";
import { siteSettingsRoutes } from "./routes/site-settings";
import { workloadRoutes } from "./routes/workloads";

/**
 * Every /api/v1 handler over one set of dependencies. The process builds it once (process.ts,
 * used by app/api/** route files); integration tests build their own over a test database.
 */
export const createApi = (deps: ApiDeps) => {
  const api = {
    ...healthRoutes(deps),
    ...sessionRoutes(deps),
    ...fleetRoutes(deps),
    ...commandRoutes(deps),
    ...reportRoutes(deps),
    ...metricsRoutes(deps),
    ...marketRoutes(deps),
    ...siteSettingsRoutes(deps),
    ...workloadRoutes(deps),
    ...planRoutes(deps),
  };
  return api satisfies Record<string, Handler>;
};

export type Api = ReturnType<typeof createApi>;
export type ApiHandlerName = keyof Api;
