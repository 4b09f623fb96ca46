import { z } from "zod";
import { parseEnv, ZSharedConfig } from "./shared";

export const ZGatewayConfig = ZSharedConfig.extend({
  GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  GATEWAY_HOST: z.string().default("0.0.0.0"),
  /**
   * Worker processes sharing GATEWAY_PORT (node:cluster), so one gateway uses more than one core.
   * Agents and browsers speak WebSocket only, so a connection needs no sticky routing; rooms,
   * command dispatch and live state already go through Redis as they do between gateways.
   */
  GATEWAY_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * V8 semi-space, in MB, of each worker when GATEWAY_WORKERS > 1 (cluster.ts); 0 leaves V8's own
   * (16). Workers are the configuration for a flood of telemetry: there a worker allocates ~300 MB/s
   * and a message is in flight ~200 ms, so with 16 MB every in-flight message was copied by the
   * scavenger, a third of the worker's time. 64 MB outlasts a message; it costs ~100 MB per worker.
   */
  GATEWAY_WORKER_SEMI_SPACE_MB: z.coerce.number().int().min(0).max(1024).default(64),
  /**
   * Garbage, in MB, a gateway's heap may hold between full GCs (heap-slack.ts); 0 leaves it to V8,
   * which lets it reach about twice what is live. With 100 the `agents` bench's gateway (10,000 rigs)
   * peaked at 494-501 MB, at its 500 MB target; with 64 at 461 MB, for the same CPU, and `ingest`
   * stored no less (138,274 against 121,389 samples/s back to back).
   */
  GATEWAY_HEAP_SLACK_MB: z.coerce.number().int().min(0).max(100_000).default(64),
  /**
   * Connections of each gateway process's query pool (telemetry COPY has its own). Command
   * deliveries, hellos and GPUs' progress reports share it with the batched last-seen and mode
   * writes; with 5, under 10,000 rigs a command's delivery query waited behind them (p99 153 ms
   * against 52 with 12, in the command-latency bench).
   */
  GATEWAY_DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  /** How long a rig has to ack a command before the send counts as lost (the scheduler's next dispatch tries again). */
  GATEWAY_COMMAND_ACK_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Where the dashboard runs: its origins are the ones allowed on /live unless WEB_ORIGINS says otherwise. */
  WEB_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Browser origins allowed on /live (the dashboard), comma-separated. */
  WEB_ORIGINS: z.string().optional(),
  /** A telemetry batch is written when it holds this many rows or is this old, whichever comes first. */
  TELEMETRY_BATCH_ROWS: z.coerce.number().int().positive().default(2000),
  TELEMETRY_BATCH_MS: z.coerce.number().int().positive().default(250),
  /** Fan-out to browsers: at most one update per room per this many ms. */
  LIVE_THROTTLE_MS: z.coerce.number().int().positive().default(1000),
});
export type GatewayConfig = z.infer<typeof ZGatewayConfig>;
export const loadGatewayConfig = (env: Record<string, string | undefined> = process.env) => parseEnv(ZGatewayConfig, env);

/** Origins a browser may open /live from: a cookie-authenticated socket must not accept any site's page. */
export const liveOrigins = (config: Pick<GatewayConfig, "WEB_ORIGINS" | "WEB_PORT">) =>
  config.WEB_ORIGINS
    ? config.WEB_ORIGINS.split(",").map((o) => o.trim()).filter(Boolean)
    : [`http://localhost:${config.WEB_PORT}`, `http://127.0.0.1:${config.WEB_PORT}`];
