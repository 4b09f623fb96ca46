import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdapter } from "@socket.io/redis-adapter";
import type { Redis } from "ioredis";
import type { Registry } from "prom-client";
import { Server } from "socket.io";
import { liveOrigins, type GatewayConfig } from "@rigshift/config";
import { createGpuLiveStore, createTelemetryWriter, type PrismaClient } from "@rigshift/db";
import { DomainError, isDomainError } from "@rigshift/protocol";
import { attachAgentNamespace } from "./agent-namespace";
import { createCommandDelivery } from "./command-delivery";
import { subscribeCommandDispatch } from "./dispatch-subscriber";
import { handleEnroll } from "./enroll-route";
import { coalesceFlushes } from "./flush-coalescing";
import { sendError, sendJson } from "./http-json";
import { createLiveFanout } from "./live-fanout";
import { attachLiveNamespace } from "./live-namespace";
import type { Log } from "./log";
import { createGatewayMetrics } from "./metrics";
import { createRigRegistry } from "./rig-registry";
import { createRigStateWriter, type RigTelemetry } from "./rig-state-writer";
import { createBatcher } from "./telemetry-batcher";

export type GatewayDeps = {
  config: Pick<GatewayConfig, "DATABASE_URL" | "GATEWAY_PORT" | "GATEWAY_HOST" | "WEB_ORIGINS" | "WEB_PORT" | "REDIS_PREFIX" | "TELEMETRY_BATCH_ROWS" | "TELEMETRY_BATCH_MS" | "LIVE_THROTTLE_MS" | "GATEWAY_COMMAND_ACK_TIMEOUT_MS">;
  /** Everything but telemetry rows; those are COPYed over a pool of their own from DATABASE_URL. */
  db: PrismaClient;
  /** The gateway duplicates this connection for the adapter's and the dispatch subscriptions. */
  redis: Redis;
  log: Log;
  now?: () => Date;
  /**
   * What GET /metrics serves, given this gateway's registry: by default that registry; in a cluster
   * worker, every worker's metrics summed (cluster.ts).
   */
  metricsText?: (registry: Registry) => () => Promise<string>;
};

export type Gateway = { port: number; url: string; connectedRigs: () => number; close: () => Promise<void> };

/**
 * One gateway process: HTTP (`/healthz`, `POST /api/agent/enroll`) and socket.io on the same
 * port, `/agent` for rigs and `/live` for browsers, sharing rooms with other gateways through
 * Redis. Port 0 picks a free one (tests).
 */
export const startGateway = async ({ config, db, redis, log, now = () => new Date(), metricsText }: GatewayDeps): Promise<Gateway> => {
  const registry = createRigRegistry();
  let pendingRows = () => 0;
  const metrics = createGatewayMetrics({ connectedAgents: () => registry.size(), pendingRows: () => pendingRows() });
  const readMetrics = metricsText ? metricsText(metrics.registry) : () => metrics.registry.metrics();

  const http: HttpServer = createServer((req, res) => {
    const route = `${req.method} ${(req.url ?? "").split("?")[0]}`;
    const run = async () => {
      if (route === "GET /healthz") return sendJson(res, 200, { status: "ok", connectedRigs: registry.size(), pid: process.pid });
      if (route === "GET /metrics") {
        const text = await readMetrics();
        res.writeHead(200, { "content-type": metrics.registry.contentType });
        return void res.end(text);
      }
      if (route === "POST /api/agent/enroll") return handleEnroll(db, req, res, now());
      throw new DomainError("NOT_FOUND", `no route ${route}`);
    };
    run().catch((err) => {
      if (isDomainError(err)) return sendError(res, err);
      log.error({ err, route }, "request failed");
      sendJson(res, 500, { error: { code: "INTERNAL", message: "internal error" } });
    });
  });

  const adapterPub = redis.duplicate();
  const adapterSub = redis.duplicate();
  const dispatchSub = redis.duplicate();
  const io = new Server(http, {
    cors: { origin: liveOrigins(config), credentials: true },
    adapter: createAdapter(adapterPub, adapterSub, { key: `${config.REDIS_PREFIX}:socket.io` }),
    // Agents send one message per rig per few seconds; 1 MB bounds a malicious frame.
    maxHttpBufferSize: 1_000_000,
    // Agents and the dashboard connect over WebSocket alone. Long-polling's requests must all reach
    // the process that opened the session, which workers sharing a port (GATEWAY_WORKERS) do not
    // promise: a polling client is refused at once ("Transport unknown") instead of half-working.
    transports: ["websocket"],
  });
  coalesceFlushes(io);

  const live = createGpuLiveStore({ redis, prefix: config.REDIS_PREFIX });
  const fanout = createLiveFanout({ nsp: io.of("/live"), throttleMs: config.LIVE_THROTTLE_MS, log });
  const writer = createTelemetryWriter({
    databaseUrl: config.DATABASE_URL,
    onPoolError: (err) => log.warn({ err }, "telemetry connection lost; the next batch reconnects"),
    now,
  });
  const batcher = createBatcher<RigTelemetry>({
    maxRows: config.TELEMETRY_BATCH_ROWS,
    maxMs: config.TELEMETRY_BATCH_MS,
    rowsOf: (t) => t.message.gpus.length,
    write: async (batch) => {
      await writer.write(batch.map((t) => t.message));
    },
    afterWrite: createRigStateWriter({ db, live, fanout, now }),
    log,
    onWritten: ({ rows, seconds, ok }) => {
      if (!ok) return metrics.failedBatches.inc();
      metrics.telemetryRows.inc(rows);
      metrics.batchRows.observe(rows);
      metrics.batchSeconds.observe(seconds);
    },
  });
  pendingRows = batcher.pendingRows;
  const deliver = createCommandDelivery({
    db, registry, log, now, ackTimeoutMs: config.GATEWAY_COMMAND_ACK_TIMEOUT_MS,
    onTimed: (phase, seconds) => metrics.commandDeliverySeconds.observe({ phase }, seconds),
    onSendFailed: (reason) => metrics.commandSendFailures.inc({ reason }),
  });
  attachAgentNamespace({
    nsp: io.of("/agent"), db, live, fanout, batcher, registry, deliver, log, now,
    onRejected: (event, reason) => metrics.rejected.inc({ event, reason }),
    onTelemetryStored: () => metrics.telemetryMessages.inc(),
  });
  attachLiveNamespace({ nsp: io.of("/live"), db, log, now });
  const unsubscribe = await subscribeCommandDispatch({
    redis: dispatchSub,
    prefix: config.REDIS_PREFIX,
    log,
    onDispatch: async ({ commandId, rigIds, commands }) => {
      await Promise.all(rigIds.map((rigId) => deliver(rigId, commandId, commands?.find((c) => c.rigId === rigId)?.command)));
    },
  });

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(config.GATEWAY_PORT, config.GATEWAY_HOST, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const host = config.GATEWAY_HOST === "0.0.0.0" ? "127.0.0.1" : config.GATEWAY_HOST;
  log.info({ port }, "gateway listening");

  return {
    port,
    url: `http://${host}:${port}`,
    connectedRigs: registry.size,
    close: async () => {
      fanout.close();
      await unsubscribe();
      // Stop taking telemetry, then let what was accepted reach the database before leaving.
      io.disconnectSockets(true);
      await batcher.close();
      await writer.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      for (const c of [adapterPub, adapterSub, dispatchSub]) c.disconnect();
    },
  };
};
