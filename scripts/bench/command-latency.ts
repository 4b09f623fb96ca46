// `npm run bench -- command-latency`: switch commands created through the web API's handler
// (POST /api/v1/commands: the row, the BullMQ `commands` job a real scheduler process runs, and
// the first dispatch) and delivered by a real gateway process to simulated rigs under telemetry
// load; from the handler's call until the rig has the command. Baseline: a Redis PING round trip.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Redis } from "ioredis";
import pino from "pino";
import { loadWebConfig } from "@rigshift/config";
import { createCommandDispatcher, createDb, createGpuLiveStore, createUser } from "@rigshift/db";
import { COMMAND_DISPATCH_CHANNEL } from "@rigshift/protocol";
import { createApi } from "../../apps/web/src/server/api";
import { createCommandQueue, type ApiDeps } from "../../apps/web/src/server/deps";
import { benchRedisPrefix, createBenchDatabase, dropRedisPrefix, insertBenchRigs, percentile, readMetrics, startGatewayProcess, startSchedulerProcess } from "./lib/fleet";
import { runBench, secondsFromEnv, sleep } from "./lib/harness";
import { startLoad } from "./lib/load";
import { formatTable, round } from "./lib/table";

const TARGET = { p99Ms: 250 };
const GPUS = 8;
const AGENTS = Number(process.env.BENCH_COMMANDS_AGENTS ?? 10_000);
const COMMANDS = Number(process.env.BENCH_COMMANDS_COUNT ?? 1_000);
/** Commands in flight at once: an operator team and the planner, not a flood. */
/** Commands sent first and not counted (one per rig, like the measured ones). */
const WARMUP = Number(process.env.BENCH_COMMANDS_WARMUP ?? 200);
const CONCURRENCY = Number(process.env.BENCH_COMMANDS_CONCURRENCY ?? 10);
const CONNECT_S = secondsFromEnv("BENCH_COMMANDS_CONNECT_S", 60);
const PINGS = 1_000;

await runBench("command-latency", 3 * 60_000 - 10_000, async (ctx) => {
  const { note } = ctx;
  const config = loadWebConfig();
  const databaseUrl = await createBenchDatabase(ctx, "commands");
  const prefix = benchRedisPrefix("commands");
  ctx.onCleanup(() => dropRedisPrefix(config.REDIS_URL, prefix));
  const rigs = await insertBenchRigs(databaseUrl, AGENTS);
  const env = { databaseUrl, redisUrl: config.REDIS_URL, prefix };
  const gateway = await startGatewayProcess(ctx, env);
  const scheduler = startSchedulerProcess(ctx, env);

  note(`${AGENTS} rigs × ${GPUS} GPUs, telemetry every 10 s, connecting over ${CONNECT_S} s`);
  const load = startLoad(ctx, { url: gateway.url, rigs, gpusPerRig: GPUS, mode: "interval", window: 1, intervalMs: 10_000, connectOverMs: CONNECT_S * 1000, processes: 2 });
  const died = Promise.race([gateway.child.died, scheduler.died]);
  died.catch(() => {});
  const readyBy = Date.now() + (CONNECT_S + 45) * 1000;
  while (load.totals().ready < AGENTS) {
    if (Date.now() > readyBy) throw new Error(`only ${load.totals().ready} of ${AGENTS} rigs said hello (last error: ${load.totals().lastError})`);
    await Promise.race([sleep(500), died]);
  }

  // The web API's handlers, called as Next calls them, with an operator's session.
  const db = createDb({ databaseUrl, poolMax: CONCURRENCY });
  const redis = new Redis(config.REDIS_URL);
  const deps: ApiDeps = {
    db, redis, liveStore: createGpuLiveStore({ redis, prefix }), commandQueue: createCommandQueue({ redisUrl: config.REDIS_URL, prefix }),
    dispatchCommand: createCommandDispatcher({ redis, prefix }),
    config: { SESSION_TTL_HOURS: 24, COOKIE_SECURE: false }, log: pino({ level: "silent" }), now: () => new Date(),
  };
  ctx.onCleanup(async () => {
    await deps.commandQueue.close();
    redis.disconnect();
    await db.$disconnect();
  });
  const api = createApi(deps);
  const noParams = { params: Promise.resolve({}) };
  await createUser(db, { email: "operator@bench.rigshift", name: "bench", password: "bench-password-1", role: "OPERATOR" });
  const login = await api.login(new Request("http://bench/api/v1/session", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "operator@bench.rigshift", password: "bench-password-1" }) }), noParams);
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;

  // Baseline: Redis PING round trips from this process, under the same load.
  const pings: number[] = [];
  for (let i = 0; i < PINGS; i++) {
    const t0 = performance.now();
    await redis.ping();
    pings.push(performance.now() - t0);
  }

  // One command per rig (its GPU 0), so no command waits behind another on the same GPU.
  const gpus = await db.gpu.findMany({ where: { index: 0 }, select: { id: true } });
  if (gpus.length < Math.min(COMMANDS, AGENTS)) throw new Error(`only ${gpus.length} GPUs found`);
  /** The i-th command's GPU: the measured ones first, the warm-up's after them (repeating only on a small fleet). */
  const gpuIds = (from: number, count: number) => Array.from({ length: count }, (_, i) => gpus[(from + i) % gpus.length]!.id);
  const createdAt = new Map<string, number>();
  const received = new Map<string, number>();
  /** Who waits for a command to reach its rig: woken when it does. */
  const arrivals = new Map<string, () => void>();
  load.onCommand((id, at) => {
    if (!received.has(id)) received.set(id, at);
    arrivals.get(id)?.();
  });
  // Where the time goes: the handler, then from the first dispatch for the command on Redis (heard
  // here on the channel every gateway listens to) until the rig has it. This process also runs the
  // handlers, so it hears the dispatch late by its own event-loop delay: that leg reads short (at a
  // light load its p50 can even be below zero).
  const dispatched = new Map<string, number>();
  const listener = new Redis(config.REDIS_URL);
  ctx.onCleanup(() => listener.disconnect());
  listener.on("message", (_channel: string, text: string) => {
    const { commandId } = JSON.parse(text) as { commandId: string };
    if (!dispatched.has(commandId)) dispatched.set(commandId, performance.timeOrigin + performance.now());
  });
  await listener.subscribe(`${prefix}:${COMMAND_DISPATCH_CHANNEL}`);

  let rejected = 0;
  /** How long the API handler itself took (row, job, first dispatch). */
  const apiMs: number[] = [];
  /** Until the rig has the command, or 10 s. */
  const arrival = (id: string) =>
    received.has(id)
      ? Promise.resolve()
      : new Promise<void>((done) => {
        const end = () => {
          clearTimeout(timer);
          arrivals.delete(id);
          done();
        };
        const timer = setTimeout(end, 10_000);
        arrivals.set(id, end);
      });
  /** Switches of these GPUs through the API, CONCURRENCY on their way at a time; timed when `measured`. */
  const sendCommands = async (ids: string[], measured: boolean) => {
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const i = next++;
        const t0 = performance.timeOrigin + performance.now();
        const res = await api.createCommand(
          new Request("http://bench/api/v1/commands", { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify({ type: "switch", gpuIds: [ids[i]], mode: i % 2 ? "HASHING" : "IDLE" }) }),
          noParams,
        );
        if (measured) apiMs.push(performance.timeOrigin + performance.now() - t0);
        if (res.status !== 202) {
          if (measured) rejected++;
          continue;
        }
        const { id } = (await res.json()) as { id: string };
        if (measured) createdAt.set(id, t0);
        await arrival(id);
      }
    };
    await Promise.race([Promise.all(Array.from({ length: CONCURRENCY }, worker)), died]);
  };

  // A control plane runs for weeks: the first switches after a start pay for compiling the API's,
  // the scheduler's and the gateway's command paths (Prisma's query compiler is WebAssembly that V8
  // optimizes once hot). Those go first, on other rigs, and are not counted.
  note(`${WARMUP} switch commands to warm up, then ${COMMANDS} measured, through POST /api/v1/commands, ${CONCURRENCY} at a time`);
  await sendCommands(gpuIds(COMMANDS, WARMUP), false);
  // prom-client restarts its event-loop delay histogram at each scrape: this one empties it, the
  // one after the commands reads how long the gateway's loop was held while they went through.
  const LOOP_DELAY = "rigshift_gateway_nodejs_eventloop_lag";
  /** The gateway's queries of a rig's open commands: a scheduler's dispatch costs one, the API's carried one none. */
  const LOOKUPS = 'rigshift_gateway_command_delivery_seconds_count{phase="lookup"}';
  const { [LOOKUPS]: lookupsBefore } = await readMetrics(gateway.url, [`${LOOP_DELAY}_p99_seconds`, LOOKUPS]);
  await load.collectLoopDelay();
  // The API handlers run in this process: how long its own loop waited says how starved it was.
  const apiLoopDelay = monitorEventLoopDelay({ resolution: 10 });
  apiLoopDelay.enable();
  const started = performance.now();
  await sendCommands(gpuIds(0, COMMANDS), true);
  const seconds = (performance.now() - started) / 1000;
  apiLoopDelay.disable();
  const loop = await readMetrics(gateway.url, [`${LOOP_DELAY}_p99_seconds`, `${LOOP_DELAY}_max_seconds`, LOOKUPS]);
  const lookups = loop[LOOKUPS] - lookupsBefore;
  const loopDelayMs = { p99: loop[`${LOOP_DELAY}_p99_seconds`] * 1000, max: loop[`${LOOP_DELAY}_max_seconds`] * 1000 };
  const loadLoopDelay = await load.collectLoopDelay();
  // The simulated rigs report each switch DONE a second after they have it, as agents do.
  await sleep(2_500);
  const done = await db.command.count({ where: { status: "DONE" } });

  const latencies = [...createdAt].flatMap(([id, t0]) => (received.has(id) ? [received.get(id)! - t0] : []));
  const lost = createdAt.size - latencies.length;
  const toRig = [...createdAt.keys()].flatMap((id) => (dispatched.has(id) && received.has(id) ? [received.get(id)! - dispatched.get(id)!] : []));
  const row = (label: string, xs: number[]) => [label, xs.length, round(percentile(xs, 50), 1), round(percentile(xs, 99), 1), round(Math.max(...xs), 1)];
  const p50Ms = percentile(latencies, 50);
  const p99Ms = percentile(latencies, 99);
  process.stdout.write(
    formatTable(
      ["path", "count", "p50 ms", "p99 ms", "max ms"],
      [
        row(`command: API handler → gateway → rig (${AGENTS} rigs on telemetry)`, latencies),
        row("  API handler (command row, BullMQ job, first dispatch)", apiMs),
        row("  dispatch → gateway → rig has it", toRig),
        ["baseline: Redis PING round trip", pings.length, round(percentile(pings, 50), 2), round(percentile(pings, 99), 2), round(Math.max(...pings), 2)],
      ],
    ),
  );
  process.stdout.write(`event-loop delay while the commands ran: gateway p99 ${round(loopDelayMs.p99, 1)} ms, max ${round(loopDelayMs.max, 1)} ms; simulated rigs (worst load process) p99 ${round(loadLoopDelay.p99Ms, 1)} ms, max ${round(loadLoopDelay.maxMs, 1)} ms; the API handlers' process p99 ${round(apiLoopDelay.percentile(99) / 1e6, 1)} ms, max ${round(apiLoopDelay.max / 1e6, 1)} ms\n`);
  process.stdout.write(`${createdAt.size} commands created in ${round(seconds, 1)} s (${CONCURRENCY} at a time); not received within 10 s: ${lost}; refused by the API: ${rejected}; reported DONE by their rigs: ${done}; the gateway's lookups of open commands meanwhile: ${lookups}\n`);
  process.stdout.write(`target p99 < ${TARGET.p99Ms} ms: ${p99Ms < TARGET.p99Ms ? "met" : "NOT met"}\n`);
  if (latencies.length === 0) throw new Error("no command reached a rig");
  return {
    p50Ms: round(p50Ms, 1), p99Ms: round(p99Ms, 1),
    apiP99Ms: round(percentile(apiMs, 99), 1), gatewayLoopDelayP99Ms: round(loopDelayMs.p99, 1), loadLoopDelayP99Ms: round(loadLoopDelay.p99Ms, 1), apiLoopDelayP99Ms: round(apiLoopDelay.percentile(99) / 1e6, 1), deliveryP99Ms: round(percentile(toRig, 99), 1),
    pingP50Ms: round(percentile(pings, 50), 2), pingP99Ms: round(percentile(pings, 99), 2), commands: latencies.length, done, gatewayLookups: lookups, agents: AGENTS,
  };
});
