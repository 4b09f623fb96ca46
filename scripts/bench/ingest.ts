// `npm run bench -- ingest`: GPU samples a second a real gateway process stores when simulated
// rigs (8 GPUs each, in separate load processes, over real socket.io) send telemetry as fast as
// acks allow; next to raw COPY of the same rows from one process into the same table.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { loadGatewayConfig } from "@rigshift/config";
import { readTelemetryCopyTypes, telemetryCopyChunks, telemetryCopyStatement, type TelemetryMessageRow } from "@rigshift/db";
import { TELEMETRY_WINDOW } from "@rigshift/protocol";
import { benchRedisPrefix, countRows, createBenchDatabase, dropRedisPrefix, insertBenchRigs, readMetric, startGatewayProcess } from "./lib/fleet";
import { runBench, secondsFromEnv, sleep } from "./lib/harness";
import { startLoad } from "./lib/load";
import { readTreeRssMb, startSampling } from "./lib/proc";
import { formatTable, round } from "./lib/table";

const TARGET = { samplesPerSec: 150_000, ratio: 0.5 };
const GPUS = 8;
const AGENTS = Number(process.env.BENCH_INGEST_AGENTS ?? 200);
const LOAD_PROCESSES = 2;
/** The issue lets the gateway use both cores: one gateway, two worker processes on one port. */
const GATEWAY_WORKERS = Number(process.env.BENCH_INGEST_GATEWAY_WORKERS ?? 2);
/**
 * Telemetry messages in flight per rig: the agent's own window, as a rig draining its spool after
 * an outage sends them. With fewer the load, not the gateway, sets the rate: throughput is what
 * is in flight over the ack time (at 4, 6,400 rows over a ~50 ms ack, about 120k/s here).
 */
const WINDOW = Number(process.env.BENCH_INGEST_WINDOW ?? TELEMETRY_WINDOW);
const WARMUP_S = secondsFromEnv("BENCH_INGEST_WARMUP_S", 10);
const MEASURE_S = secondsFromEnv("BENCH_INGEST_MEASURE_S", 30);
const RAW_S = secondsFromEnv("BENCH_INGEST_RAW_S", 10);
/** GPU samples stored: each message row holds its rig's GPUs. */
const COUNT_ROWS = `SELECT COALESCE(sum(cardinality("gpuIndex")), 0)::text AS n FROM "TelemetryMessage"`;

const gpuIdsByRig = async (databaseUrl: string) => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const res = await client.query<{ rigId: string; id: string }>(`SELECT "rigId", id FROM "Gpu" ORDER BY "rigId", index`);
    const ids = new Map<string, string[]>();
    for (const r of res.rows) ids.set(r.rigId, [...(ids.get(r.rigId) ?? []), r.id]);
    return ids;
  } finally {
    await client.end();
  }
};

/** Raw COPY straight into the table, in the gateway's binary format and batch size, one connection: GPU rows/s. */
const rawCopy = async (databaseUrl: string, rigs: { rigId: string }[], gpuIds: Map<string, string[]>, seconds: number, batchRows: number) => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let seq = 1e12; // clear of the load's seqs
  let rows = 0;
  const types = await readTelemetryCopyTypes(client);
  const started = performance.now();
  try {
    while (performance.now() - started < seconds * 1000) {
      const batch: TelemetryMessageRow[] = [];
      for (let n = 0; n < batchRows; n += GPUS) {
        const rig = rigs[(seq % rigs.length)]!;
        batch.push({
          rigId: rig.rigId, seq, at: new Date(), gpuIds: gpuIds.get(rig.rigId)!,
          gpus: Array.from({ length: GPUS }, (_, g) => ({
            index: g, mode: "HASHING" as const, coin: "ETC", workloadId: null,
            hashrateHs: 60e6 + g, tempC: 60 + g, powerW: 220 + g, fanPct: 55, utilPct: 99, vramUsedMb: 4500,
          })),
        });
        seq++;
      }
      await client.query("BEGIN");
      await pipeline(Readable.from(telemetryCopyChunks(batch, types)), client.query(copyFrom(telemetryCopyStatement())));
      await client.query("COMMIT");
      rows += batchRows;
    }
    return rows / ((performance.now() - started) / 1000);
  } finally {
    await client.end();
  }
};

await runBench("ingest", 3 * 60_000 - 10_000, async (ctx) => {
  const { note } = ctx;
  const redisUrl = loadGatewayConfig().REDIS_URL;
  const databaseUrl = await createBenchDatabase(ctx, "ingest");
  const prefix = benchRedisPrefix("ingest");
  ctx.onCleanup(() => dropRedisPrefix(redisUrl, prefix));
  const rigs = await insertBenchRigs(databaseUrl, AGENTS);
  const gateway = await startGatewayProcess(ctx, { databaseUrl, redisUrl, prefix }, { workers: GATEWAY_WORKERS });
  const batchRows = loadGatewayConfig({ ...process.env, DATABASE_URL: databaseUrl }).TELEMETRY_BATCH_ROWS;

  note(`${AGENTS} rigs × ${GPUS} GPUs over ${LOAD_PROCESSES} load processes, ${WINDOW} messages in flight each; warming up ${WARMUP_S} s, measuring ${MEASURE_S} s`);
  const load = startLoad(ctx, { url: gateway.url, rigs, gpusPerRig: GPUS, mode: "flood", window: WINDOW, intervalMs: 0, connectOverMs: 2_000, processes: LOAD_PROCESSES });
  const readyBy = Date.now() + 30_000;
  while (load.totals().ready < AGENTS) {
    if (Date.now() > readyBy) throw new Error(`only ${load.totals().ready} of ${AGENTS} rigs said hello in 30 s (last error: ${load.totals().lastError})`);
    await Promise.race([sleep(250), gateway.child.died]);
  }
  await Promise.race([sleep(WARMUP_S * 1000), gateway.child.died]);

  const rowsBefore = await countRows(databaseUrl, COUNT_ROWS);
  const metricBefore = await readMetric(gateway.url, "rigshift_gateway_telemetry_rows_total");
  const ackedBefore = load.totals().acked;
  await load.collectLatencies();
  const sampler = startSampling(gateway.pid);
  const t0 = performance.now();
  await Promise.race([sleep(MEASURE_S * 1000), gateway.child.died]);
  const rowsAfter = await countRows(databaseUrl, COUNT_ROWS);
  const seconds = (performance.now() - t0) / 1000;
  const gw = sampler.finish();
  const metricAfter = await readMetric(gateway.url, "rigshift_gateway_telemetry_rows_total");
  const ackedMessages = load.totals().acked - ackedBefore;
  const latencies = (await load.collectLatencies()).sort((a, b) => a - b);
  const failed = load.totals().failedAcks;
  const gatewayRssMb = readTreeRssMb(gateway.pid);
  await load.stop();
  await gateway.child.stop(10_000);

  const samplesPerSec = (rowsAfter - rowsBefore) / seconds;
  // The same rows (rig, seq, 8 GPUs) into the same table, from one process, with the box otherwise quiet.
  const gpuIds = await gpuIdsByRig(databaseUrl);
  note(`raw COPY baseline: ${RAW_S} s, ${batchRows}-row batches`);
  const rawCopyPerSec = await rawCopy(databaseUrl, rigs, gpuIds, RAW_S, batchRows);
  const ratio = samplesPerSec / rawCopyPerSec;
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil((q / 100) * latencies.length) - 1)] ?? Number.NaN;

  process.stdout.write(
    formatTable(
      ["path", "GPU samples/s", "window s", "notes"],
      [
        [`gateway, ${GATEWAY_WORKERS} worker${GATEWAY_WORKERS > 1 ? "s" : ""} (${AGENTS} rigs × ${GPUS} GPUs, socket.io)`, round(samplesPerSec, 0), round(seconds, 1), `${ackedMessages} messages acked; ack p50 ${round(p(50), 1)} ms, p99 ${round(p(99), 1)} ms`],
        ["baseline: raw COPY, one process", round(rawCopyPerSec, 0), RAW_S, `${batchRows}-row batches, binary COPY, same table`],
        ["ratio gateway / raw COPY", round(ratio, 3), round(seconds, 1), ""],
      ],
    ),
  );
  process.stdout.write(`gateway (${GATEWAY_WORKERS > 1 ? `primary + ${GATEWAY_WORKERS} workers` : "one process"}): CPU ${round(gw.cpuPct, 1)} % of one core, RSS ${round(gatewayRssMb, 1)} MB (peak ${round(gw.rssPeakMb, 1)}); /metrics rows in window ${metricAfter - metricBefore}; failed acks ${failed}\n`);
  process.stdout.write(`target ≥ ${TARGET.samplesPerSec} samples/s: ${samplesPerSec >= TARGET.samplesPerSec ? "met" : "NOT met"}; ratio ≥ ${TARGET.ratio}: ${ratio >= TARGET.ratio ? "met" : "NOT met"}\n`);
  return { samplesPerSec: round(samplesPerSec, 0), rawCopyPerSec: round(rawCopyPerSec, 0), ratio: round(ratio, 3), agents: AGENTS, gpusPerAgent: GPUS, gatewayRssMb: round(gw.rssPeakMb, 1), gatewayWorkers: GATEWAY_WORKERS };
});
