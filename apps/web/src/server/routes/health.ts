import type { z } from "zod";
import type { ZHealth } from "@rigshift/protocol";
import type { ApiDeps } from "../deps";
import { json, route } from "../http";

type Health = z.infer<typeof ZHealth>;

// A probe that hangs (Redis reconnecting, a full pool) must not hang the load balancer's check.
const PROBE_TIMEOUT_MS = 2000;

const probe = async (fn: () => Promise<unknown>): Promise<"ok" | "down"> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("probe timed out")), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([fn(), timeout]);
    return "ok";
  } catch {
    // The reason is not the caller's business; "down" is the answer, the status says degraded.
    return "down";
  } finally {
    clearTimeout(timer);
  }
};

/** GET /api/v1/health — no auth; 503 while PostgreSQL or Redis does not answer. */
export const healthRoutes = (deps: ApiDeps) => ({
  health: route(deps, async () => {
    const [db, redis] = await Promise.all([probe(() => deps.db.$queryRaw`SELECT 1`), probe(() => deps.redis.ping())]);
    const body: Health = { status: db === "ok" && redis === "ok" ? "ok" : "degraded", db, redis };
    if (body.status !== "ok") deps.log.warn(body, "health degraded");
    return json(body, body.status === "ok" ? 200 : 503, { "cache-control": "no-store" });
  }),
});
