import { Redis } from "ioredis";
import { loadSchedulerConfig } from "@rigshift/config";
import { createDb } from "@rigshift/db";
import { createLog } from "./log";
import { startScheduler } from "./scheduler";

const config = loadSchedulerConfig();
const log = createLog(config.LOG_LEVEL);
const db = createDb({ databaseUrl: config.DATABASE_URL });
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });

const scheduler = await startScheduler({ config, db, redis, log });
log.info("scheduler running");

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "scheduler stopping");
  await scheduler.close();
  await db.$disconnect();
  redis.disconnect();
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
