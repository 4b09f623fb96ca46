import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { WebConfig } from "@rigshift/config";
import { type CommandDispatcher, createCommandDispatcher, createDb, createGpuLiveStore, type GpuLiveStore } from "@rigshift/db";
import { QUEUES, type CommandJob } from "@rigshift/protocol";
import { createLog, type Logger } from "./log";

/** Everything a handler touches, passed in: the process builds one set, each test file its own. */
export type ApiDeps = {
  db: ReturnType<typeof createDb>;
  redis: Redis;
  liveStore: GpuLiveStore;
  commandQueue: Queue<CommandJob>;
  /** Tells the gateways a queued command waits for its rigs, ahead of the scheduler's job. */
  dispatchCommand: CommandDispatcher;
  config: Pick<WebConfig, "SESSION_TTL_HOURS" | "COOKIE_SECURE">;
  log: Logger;
  /** The clock: sessions, tokens and commands take their times from it. */
  now: () => Date;
};

/**
 * BullMQ brings its own ioredis major, so it gets connection options rather than our client
 * (sharing one instance across two ioredis versions is not supported).
 */
export const redisConnectionOptions = (redisUrl: string) => {
  const url = new URL(redisUrl);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : 6379,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    ...(url.protocol === "rediss:" ? { tls: {} } : {}),
  };
};

export const createCommandQueue = ({ redisUrl, prefix }: { redisUrl: string; prefix: string }) =>
  new Queue<CommandJob>(QUEUES.commands, { connection: redisConnectionOptions(redisUrl), prefix });

/** The process's dependencies from its config (see process.ts, which builds them once). */
export const createServerDeps = (config: WebConfig): ApiDeps => {
  const redis = new Redis(config.REDIS_URL, { lazyConnect: false });
  return {
    db: createDb({ databaseUrl: config.DATABASE_URL }),
    redis,
    liveStore: createGpuLiveStore({ redis, prefix: config.REDIS_PREFIX }),
    commandQueue: createCommandQueue({ redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX }),
    dispatchCommand: createCommandDispatcher({ redis, prefix: config.REDIS_PREFIX }),
    config,
    log: createLog(config.LOG_LEVEL),
    now: () => new Date(),
  };
};
