import { Redis } from "ioredis";
import { loadGatewayConfig } from "@rigshift/config";
import { createDb } from "@rigshift/db";
import { clusterMetricsOf, isGatewayWorker, runGatewayPrimary } from "./cluster";
import { boundHeapSlack } from "./heap-slack";
import { createLog } from "./log";
import { startGateway } from "./server";

const config = loadGatewayConfig();
const log = createLog(config.LOG_LEVEL);
const worker = isGatewayWorker();

if (config.GATEWAY_WORKERS > 1 && !worker) {
  runGatewayPrimary({ workers: config.GATEWAY_WORKERS, semiSpaceMb: config.GATEWAY_WORKER_SEMI_SPACE_MB, log });
} else {
  if (config.GATEWAY_HEAP_SLACK_MB > 0) boundHeapSlack({ slackMb: config.GATEWAY_HEAP_SLACK_MB });
  const workerLog = worker ? log.child({ worker: process.pid }) : log;
  const db = createDb({ databaseUrl: config.DATABASE_URL, poolMax: config.GATEWAY_DB_POOL_MAX });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const gateway = await startGateway({ config, db, redis, log: workerLog, metricsText: worker ? clusterMetricsOf : undefined });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    workerLog.info({ signal }, "gateway stopping");
    await gateway.close();
    await db.$disconnect();
    redis.disconnect();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}
