// `npm run bench -- agent`: the rig agent's footprint with 8 simulated GPUs sampled every 5 s,
// talking to a real socket.io gateway that acks its telemetry, next to an idle Node process
// measured over the same window (what Node itself costs on this machine).
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { GPU_MODELS } from "../../apps/agent/src/backends/models";
import { writeConfigFile } from "../../apps/agent/src/cli/config-file";
import { FakeGateway, waitFor } from "../../apps/agent/src/testing/fake-gateway";
import { runBench, secondsFromEnv, sleep } from "./lib/harness";
import { startSampling } from "./lib/proc";
import { formatTable, round } from "./lib/table";

const REPO_ROOT = resolve(import.meta.dirname, "../..");
const TARGET = { rssMb: 60, cpuPct: 1 };
const GPUS = 8;
const INTERVAL_S = 5;
const WARMUP_S = secondsFromEnv("BENCH_AGENT_WARMUP_S", 10);
const MEASURE_S = secondsFromEnv("BENCH_AGENT_MEASURE_S", 60);
/** `bundle` (default): what rigs run, built fresh into a temp dir. `source`: tsx, as `npm run agent` runs it. */
const FROM = process.env.BENCH_AGENT_FROM === "source" ? "source" : "bundle";

await runBench("agent", 3 * 60_000 - 10_000, async ({ spawn, onCleanup, note }) => {
  const dir = await mkdtemp(join(tmpdir(), "rigshift-bench-agent-"));
  onCleanup(() => rm(dir, { recursive: true, force: true }));

  const gateway = await new FakeGateway().start();
  onCleanup(() => gateway.stop());
  const configPath = join(dir, "agent.json");
  await writeConfigFile(configPath, {
    server: gateway.url,
    rigId: gateway.rigId,
    rigToken: gateway.rigToken,
    intervalS: INTERVAL_S,
    // A mixed rig: the simulated models in turn.
    simulate: Array.from({ length: GPUS }, (_, i) => GPU_MODELS[i % GPU_MODELS.length]!.name),
  });

  let agentArgs: string[];
  if (FROM === "bundle") {
    const bundle = join(dir, "rigshift-agent.mjs");
    const built = spawnSync(process.execPath, ["apps/agent/build.mjs", bundle], { cwd: REPO_ROOT, encoding: "utf8" });
    if (built.status !== 0) throw new Error(`building the agent failed:\n${built.stderr}`);
    agentArgs = [bundle];
  } else {
    // node --import tsx, not the tsx CLI: that forks, and we would measure its wrapper process.
    agentArgs = ["--import", "tsx", join(REPO_ROOT, "apps/agent/src/main.ts")];
  }
  // Run from the temp dir: the bundle must not lean on the repository's node_modules.
  const cwd = FROM === "bundle" ? dir : REPO_ROOT;
  // The agent logs at info, as under systemd; its output goes nowhere (we measure, not read).
  const agent = spawn({ name: "agent", command: process.execPath, args: [...agentArgs, "run", "--config", configPath], cwd, env: { ...process.env, LOG_LEVEL: "info" } });
  const baseline = spawn({ name: "baseline", command: process.execPath, args: ["-e", "setInterval(()=>{},1000)"], cwd: dir });

  note(`agent from ${FROM}: ${GPUS} simulated GPUs every ${INTERVAL_S} s; warming up ${WARMUP_S} s, then measuring ${MEASURE_S} s`);
  await Promise.race([waitFor("the agent's first acked telemetry", () => gateway.stored.size > 0, 20_000), agent.died]);
  await Promise.race([sleep(WARMUP_S * 1000), agent.died]);

  const storedBefore = gateway.stored.size;
  const agentSampler = startSampling(agent.pid);
  const baselineSampler = startSampling(baseline.pid);
  await Promise.race([sleep(MEASURE_S * 1000), agent.died, baseline.died]);
  const a = agentSampler.finish();
  const b = baselineSampler.finish();
  const acked = gateway.stored.size - storedBefore;
  if (gateway.violations.length > 0) throw new Error(`the agent broke the protocol: ${gateway.violations.join("; ")}`);
  // Measuring an agent that stopped reporting would flatter it.
  if (acked < Math.floor(MEASURE_S / INTERVAL_S) - 1) throw new Error(`only ${acked} telemetry messages acked in ${MEASURE_S} s; expected about ${MEASURE_S / INTERVAL_S}`);

  const rssMet = a.rssPeakMb < TARGET.rssMb;
  const cpuMet = a.cpuPct < TARGET.cpuPct;
  process.stdout.write(
    formatTable(
      ["process", "RSS mean MB", "RSS peak MB", "CPU % of one core", "window s"],
      [
        [`agent (${FROM}, ${GPUS} GPUs @ ${INTERVAL_S} s)`, round(a.rssMb, 1), round(a.rssPeakMb, 1), round(a.cpuPct, 3), round(a.seconds, 1)],
        ["baseline: idle node", round(b.rssMb, 1), round(b.rssPeakMb, 1), round(b.cpuPct, 3), round(b.seconds, 1)],
        ["agent minus baseline", round(a.rssMb - b.rssMb, 1), round(a.rssPeakMb - b.rssPeakMb, 1), round(a.cpuPct - b.cpuPct, 3), round(a.seconds, 1)],
      ],
    ),
  );
  process.stdout.write(`telemetry acked in the window: ${acked}\n`);
  process.stdout.write(`target RSS < ${TARGET.rssMb} MB (peak): ${rssMet ? "met" : "NOT met"}; CPU < ${TARGET.cpuPct} % of one core: ${cpuMet ? "met" : "NOT met"}\n`);
  return { rssMb: round(a.rssPeakMb, 1), cpuPct: round(a.cpuPct, 3), baselineRssMb: round(b.rssPeakMb, 1), baselineCpuPct: round(b.cpuPct, 3) };
});
