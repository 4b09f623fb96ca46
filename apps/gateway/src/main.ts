import { Redis } from "ioredis";
import { loadGatewayConfig } from "@rigshift/config";
import { createDb } from "@rigshift/db";
import { createLog } from "./log";
import { startGateway } from "./server";

const config = loadGatewayConfig();
const log = createLog(config.LOG_LEVEL);
const db = createDb({ databaseUrl: config.DATABASE_URL });
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });

const gateway = await startGateway({ config, db, redis, log });

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "gateway stopping");
  await gateway.close();
  await db.$disconnect();
  redis.disconnect();
  process.exit(0);
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
