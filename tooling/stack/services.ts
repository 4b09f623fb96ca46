import path from "node:path";
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from "@rigshift/config";
import type { Output } from "./child";
import { canConnect } from "./net";
import { startEmbeddedPostgres, type StartedService } from "./postgres";
import { hasRedisServer, REDIS_MISSING_HELP, startRedisServer } from "./redis";
import { hostPortOf, planService, redactUrl } from "./service-urls";

export type Services = { databaseUrl: string; redisUrl: string; stop: () => Promise<void> };

const defaultAnswers = (url: string) => {
  const { host, port } = hostPortOf(url);
  return canConnect(host, port);
};

/**
 * PostgreSQL and Redis for the stack or the test run (see service-urls.ts for the order). What
 * we start here, stop() stops; services we found running are left alone.
 */
export const resolveServices = async ({ env, stateDir, log, output, colour = true }: {
  env: Record<string, string | undefined>;
  stateDir: string;
  log: (line: string) => void;
  output: Output;
  colour?: boolean;
}): Promise<Services> => {
  const started: StartedService[] = [];
  const stop = async () => {
    for (const service of started.reverse()) await service.stop();
  };
  try {
    const pgPlan = planService({ configuredUrl: env.DATABASE_URL, defaultUrl: DEFAULT_DATABASE_URL, defaultAnswers: !env.DATABASE_URL && (await defaultAnswers(DEFAULT_DATABASE_URL)) });
    let databaseUrl: string;
    if (pgPlan.use === "start") {
      log("no PostgreSQL at 127.0.0.1:5432: starting an embedded one");
      const pg = await startEmbeddedPostgres({ dir: path.join(stateDir, "postgres"), log });
      started.push(pg);
      databaseUrl = pg.url;
    } else {
      databaseUrl = pgPlan.url;
    }
    log(`PostgreSQL: ${redactUrl(databaseUrl)} (${pgPlan.use === "start" ? "embedded" : pgPlan.use})`);

    const redisPlan = planService({ configuredUrl: env.REDIS_URL, defaultUrl: DEFAULT_REDIS_URL, defaultAnswers: !env.REDIS_URL && (await defaultAnswers(DEFAULT_REDIS_URL)) });
    let redisUrl: string;
    if (redisPlan.use === "start") {
      if (!hasRedisServer()) throw new Error(REDIS_MISSING_HELP);
      log("no Redis at 127.0.0.1:6379: starting redis-server");
      const redis = await startRedisServer({ dir: path.join(stateDir, "redis"), output, colour });
      started.push(redis);
      redisUrl = redis.url;
    } else {
      redisUrl = redisPlan.url;
    }
    log(`Redis: ${redactUrl(redisUrl)} (${redisPlan.use === "start" ? "our redis-server" : redisPlan.use})`);
    return { databaseUrl, redisUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
};
