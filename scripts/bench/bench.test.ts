import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { startSampling } from "./lib/proc";
import { formatTable } from "./lib/table";

const REPO_ROOT = resolve(import.meta.dirname, "../..");

const run = (command: string, args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("benchmark helpers", () => {
  it("prints a table with numbers right-aligned under a ruled header", () => {
    expect(formatTable(["process", "RSS MB"], [["agent", 55.8], ["baseline", 9.5]])).toBe(
      ["process   RSS MB", "--------  ------", "agent       55.8", "baseline     9.5", ""].join("\n"),
    );
  });

  it("tells a busy process from an idle one, and measures its memory", async () => {
    const busy = spawn(process.execPath, ["-e", "for(;;){}"]);
    const idle = spawn(process.execPath, ["-e", "setInterval(()=>{},1000)"]);
    try {
      await sleep(300);
      const busySampler = startSampling(busy.pid!, { rssEveryMs: 100 });
      const idleSampler = startSampling(idle.pid!, { rssEveryMs: 100 });
      await sleep(1_500);
      const b = busySampler.finish();
      const i = idleSampler.finish();
      // One core spinning: close to 100 % (the machine has 2 cores; allow for a busy test run).
      expect(b.cpuPct).toBeGreaterThan(40);
      expect(i.cpuPct).toBeLessThan(10);
      // A bare Node process is tens of MB resident, never 0 and never gigabytes.
      expect(i.rssMb).toBeGreaterThan(10);
      expect(i.rssPeakMb).toBeLessThan(500);
      expect(b.seconds).toBeGreaterThan(1.4);
    } finally {
      busy.kill("SIGKILL");
      idle.kill("SIGKILL");
    }
  });
});

describe("npm run bench", () => {
  it("refuses an unknown benchmark and lists the ones there are", async () => {
    const r = await run(process.execPath, ["--import", "tsx", "scripts/bench.ts", "agent", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("unknown benchmark: nope\navailable: agent, agents, command-latency, ingest, planner, rollup\n");
    expect(r.stdout).toBe("");
  });

  it("agent: runs the real agent against a gateway and ends with one JSON line (short run)", async () => {
    const r = await run(process.execPath, ["--import", "tsx", "scripts/bench.ts", "agent"], { BENCH_AGENT_WARMUP_S: "1", BENCH_AGENT_MEASURE_S: "6" });
    expect(r.stderr).not.toContain("failed");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^process\s+RSS mean MB\s+RSS peak MB\s+CPU % of one core/);
    expect(r.stdout).toMatch(/target RSS < 60 MB \(peak\): (met|NOT met); CPU < 1 % of one core: (met|NOT met)/);
    const result = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(["bench", "rssMb", "cpuPct", "baselineRssMb", "baselineCpuPct"]);
    expect(result.bench).toBe("agent");
    // The agent does more than an idle node: more memory, and it is a live process, not 0.
    expect(result.rssMb as number).toBeGreaterThan(result.baselineRssMb as number);
    expect(result.baselineRssMb as number).toBeGreaterThan(10);
  }, 60_000);
});
