import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";
import { z } from "zod";
import type { Log } from "./log";

/**
 * GATEWAY_WORKERS > 1: one primary process forks that many gateway workers, which share the
 * listening port (node:cluster hands each new connection to the next worker). A gateway is one
 * event loop, and at fleet scale that loop (socket frames, JSON, zod, acks) is the bottleneck
 * long before the database. The primary serves no traffic: it restarts a worker that dies and
 * answers the workers' requests for the whole gateway's metrics, so a Prometheus scrape that lands
 * on any worker counts every worker.
 */

const METRICS_REQUEST = "rigshift:gateway-metrics-request";
const METRICS_ANSWER = "rigshift:gateway-metrics-answer";
const ZMetricsRequest = z.object({ type: z.literal(METRICS_REQUEST), id: z.number().int() });
const ZMetricsAnswer = z.object({ type: z.literal(METRICS_ANSWER), id: z.number().int(), text: z.string().optional(), error: z.string().optional() });

/** A worker that died is replaced after this long, so a crash loop does not spin the CPU. */
const RESTART_DELAY_MS = 1_000;
const METRICS_TIMEOUT_MS = 5_000;

export const isGatewayWorker = () => cluster.isWorker;

const SEMI_SPACE_FLAG = "--max-semi-space-size";

/**
 * The Node flags a worker runs with: the primary's own, plus its semi-space (0: V8's default).
 * A semi-space the operator gave the primary explicitly is kept.
 */
export const workerExecArgv = (execArgv: readonly string[], semiSpaceMb: number): string[] => {
  const explicit = execArgv.some((a) => a === SEMI_SPACE_FLAG || a.startsWith(`${SEMI_SPACE_FLAG}=`));
  return semiSpaceMb > 0 && !explicit ? [...execArgv, `${SEMI_SPACE_FLAG}=${semiSpaceMb}`] : [...execArgv];
};

/** The primary: fork `workers` gateways, keep them running, stop them all on SIGINT/SIGTERM. */
export const runGatewayPrimary = ({ workers, semiSpaceMb, log }: { workers: number; semiSpaceMb: number; log: Log }) => {
  const aggregator = new AggregatorRegistry();
  cluster.setupPrimary({ execArgv: workerExecArgv(process.execArgv, semiSpaceMb) });
  let stopping = false;

  const answerMetrics = (worker: Worker) => async (message: unknown) => {
    const request = ZMetricsRequest.safeParse(message);
    if (!request.success) return;
    try {
      worker.send({ type: METRICS_ANSWER, id: request.data.id, text: await aggregator.clusterMetrics() });
    } catch (err) {
      worker.send({ type: METRICS_ANSWER, id: request.data.id, error: err instanceof Error ? err.message : String(err) });
    }
  };
  const fork = () => {
    const worker = cluster.fork();
    worker.on("message", answerMetrics(worker));
  };

  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    log.error({ workerPid: worker.process.pid, code, signal }, "gateway worker died; starting another");
    setTimeout(fork, RESTART_DELAY_MS).unref();
  });
  for (let i = 0; i < workers; i++) fork();
  log.info({ workers, semiSpaceMb }, "gateway primary started its workers");

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "gateway primary stopping its workers");
    const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    // Each worker drains its accepted telemetry into the database before it exits (server.close).
    let left = running.length;
    if (left === 0) process.exit(0);
    for (const w of running) {
      w.once("exit", () => {
        if (--left === 0) process.exit(0);
      });
      w.process.kill("SIGTERM");
    }
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
};

/**
 * In a worker: offer this worker's registry to the primary's aggregation, and return a function
 * that fetches the whole gateway's metrics text (every worker's, summed) from the primary.
 */
export const clusterMetricsOf = (registry: Registry): (() => Promise<string>) => {
  AggregatorRegistry.setRegistries(registry);
  // Constructing one installs prom-client's worker-side listener that answers the primary.
  new AggregatorRegistry();
  let nextId = 0;
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  process.on("message", (message: unknown) => {
    const answer = ZMetricsAnswer.safeParse(message);
    if (!answer.success) return;
    const w = waiting.get(answer.data.id);
    if (!w) return;
    waiting.delete(answer.data.id);
    clearTimeout(w.timer);
    if (answer.data.text !== undefined) w.resolve(answer.data.text);
    else w.reject(new Error(`gateway metrics: ${answer.data.error ?? "no answer"}`));
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error("gateway metrics: the primary did not answer"));
      }, METRICS_TIMEOUT_MS);
      waiting.set(id, { resolve, reject, timer });
      process.send?.({ type: METRICS_REQUEST, id });
    });
};
