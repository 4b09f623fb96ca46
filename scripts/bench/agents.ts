// `npm run bench -- agents`: 10,000 simulated rigs (8 GPUs each, over a few load processes)
// connected to one gateway process, each sending telemetry every 10 s out of phase; the
// gateway's memory next to its own idle memory before any rig connected, and the ack latency.
import { loadGatewayConfig } from "@rigshift/config";
import { benchRedisPrefix, createBenchDatabase, dropRedisPrefix, insertBenchRigs, percentile, readMetric, startGatewayProcess } from "./lib/fleet";
import { runBench, secondsFromEnv, sleep } from "./lib/harness";
import { startLoad } from "./lib/load";
import { readTreeRssMb, startSampling } from "./lib/proc";
import { formatTable, round } from "./lib/table";

const TARGET = { rssMb: 500 };
const GPUS = 8;
const AGENTS = Number(process.env.BENCH_AGENTS_COUNT ?? 10_000);
const LOAD_PROCESSES = 2;
const INTERVAL_MS = 10_000;
const CONNECT_S = secondsFromEnv("BENCH_AGENTS_CONNECT_S", 60);
const MEASURE_S = secondsFromEnv("BENCH_AGENTS_MEASURE_S", 30);

await runBench("agents", 3 * 60_000 - 10_000, async (ctx) => {
  const { note } = ctx;
  const redisUrl = loadGatewayConfig().REDIS_URL;
  const databaseUrl = await createBenchDatabase(ctx, "agents");
  const prefix = benchRedisPrefix("agents");
  ctx.onCleanup(() => dropRedisPrefix(redisUrl, prefix));
  const rigs = await insertBenchRigs(databaseUrl, AGENTS);
  const gateway = await startGatewayProcess(ctx, { databaseUrl, redisUrl, prefix });

  // Baseline: the same gateway process, started and idle, before any rig connects.
  await sleep(3_000);
  const idle = startSampling(gateway.pid, { rssEveryMs: 250 });
  await sleep(3_000);
  const idleSample = idle.finish();

  note(`${AGENTS} rigs × ${GPUS} GPUs over ${LOAD_PROCESSES} load processes, connecting over ${CONNECT_S} s, telemetry every ${INTERVAL_MS / 1000} s; then measuring ${MEASURE_S} s`);
  const load = startLoad(ctx, { url: gateway.url, rigs, gpusPerRig: GPUS, mode: "interval", window: 1, intervalMs: INTERVAL_MS, connectOverMs: CONNECT_S * 1000, processes: LOAD_PROCESSES });
  // Connecting: give stragglers up to 30 s beyond the stagger, then measure what we have.
  const connectBy = Date.now() + (CONNECT_S + 30) * 1000;
  let lastNote = 0;
  while (load.totals().ready < AGENTS && Date.now() < connectBy) {
    await Promise.race([sleep(500), gateway.child.died]);
    if (Date.now() - lastNote > 10_000) {
      lastNote = Date.now();
      const t = load.totals();
      note(`connected ${t.connected}, hello acked ${t.ready}, telemetry acked ${t.acked}, connect errors ${t.connectErrors}, hello retries ${t.helloRetries}`);
    }
  }
  // Every ready rig ticks once before we measure, so the window is steady state.
  await Promise.race([sleep(INTERVAL_MS), gateway.child.died]);
  await load.collectLatencies();
  const ackedBefore = load.totals().acked;
  const failedBefore = load.totals().failedAcks;
  const busy = startSampling(gateway.pid, { rssEveryMs: 500 });
  await Promise.race([sleep(MEASURE_S * 1000), gateway.child.died]);
  const busySample = busy.finish();
  const totals = load.totals();
  const latencies = await load.collectLatencies();
  const connected = totals.ready;
  const gatewayRssMb = Math.max(busySample.rssPeakMb, readTreeRssMb(gateway.pid));
  // Where the memory is: V8's heap (live objects and room to grow) against the whole process.
  const heapMb = async (name: string) => (await readMetric(gateway.url, `rigshift_gateway_nodejs_heap_size_${name}_bytes`)) / 2 ** 20;
  const [heapUsedMb, heapTotalMb] = [await heapMb("used"), await heapMb("total")];
  const ackP99Ms = percentile(latencies, 99);

  process.stdout.write(
    formatTable(
      ["gateway process", "rigs connected", "RSS mean MB", "RSS peak MB", "CPU % of one core", "window s"],
      [
        [`with ${AGENTS} rigs asked, telemetry every ${INTERVAL_MS / 1000} s`, connected, round(busySample.rssMb, 1), round(busySample.rssPeakMb, 1), round(busySample.cpuPct, 1), round(busySample.seconds, 1)],
        ["baseline: same process idle, before rigs connect", 0, round(idleSample.rssMb, 1), round(idleSample.rssPeakMb, 1), round(idleSample.cpuPct, 1), round(idleSample.seconds, 1)],
      ],
    ),
  );
  process.stdout.write(
    `telemetry in the window: ${totals.acked - ackedBefore} acked (${round((totals.acked - ackedBefore) / busySample.seconds, 0)}/s), ${totals.failedAcks - failedBefore} failed; ack p50 ${round(percentile(latencies, 50), 1)} ms, p99 ${round(ackP99Ms, 1)} ms; connect errors ${totals.connectErrors}, hello retries ${totals.helloRetries}${totals.lastError ? ` (last: ${totals.lastError})` : ""}\n`,
  );
  process.stdout.write(`gateway heap: ${round(heapUsedMb, 1)} MB used of ${round(heapTotalMb, 1)} MB; the rest of RSS is code, buffers and sockets outside V8's heap\n`);
  process.stdout.write(`target all ${AGENTS} connected: ${connected >= AGENTS ? "met" : "NOT met"}; RSS < ${TARGET.rssMb} MB: ${gatewayRssMb < TARGET.rssMb ? "met" : "NOT met"}\n`);
  return { connected, gatewayRssMb: round(gatewayRssMb, 1), ackP99Ms: round(ackP99Ms, 1), baselineRssMb: round(idleSample.rssPeakMb, 1) };
});
