import type { ApiDeps } from "./deps";
import type { Handler } from "./http";
import { commandRoutes } from "./routes/commands";
import { fleetRoutes } from "./routes/fleet";
import { healthRoutes } from "./routes/health";
import { metricsRoutes } from "./routes/metrics";
import { reportRoutes } from "./routes/reports";
import { sessionRoutes } from "./routes/session";

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
  };
  return api satisfies Record<string, Handler>;
};

export type Api = ReturnType<typeof createApi>;
export type ApiHandlerName = keyof Api;
