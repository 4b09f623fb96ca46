import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../testing/fake-gateway";
import { startWorkload, type RunningWorkload } from "./run-workload";
import type { WorkloadSpec } from "./workload-spec";

const WORKLOAD_ID = "3b0f5a2e-8c1d-4e6f-9a7b-1c2d3e4f5a6b";
/** Only PATH: the workload must not need the test runner's environment. */
const BASE_ENV = { PATH: "/usr/local/bin:/usr/bin:/bin" };

const running: RunningWorkload[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const w of running.splice(0)) await w.stop(0);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A node script as the workload, the way a trainer would be launched. */
const nodeWorkload = (script: string, patch: Partial<Extract<WorkloadSpec, { kind: "process" }>> = {}): WorkloadSpec => ({
  kind: "process",
  workloadId: WORKLOAD_ID,
  gpus: [0, 1],
  vendor: "NVIDIA",
  checkpointGraceS: 5,
  env: {},
  command: process.execPath,
  args: ["-e", script],
  ...patch,
});

const launch = async (spec: WorkloadSpec) => {
  const w = await startWorkload(spec, { baseEnv: BASE_ENV });
  running.push(w);
  await waitFor("the workload to be ready", () => w.logLines().includes("ready"), 5_000);
  return w;
};

describe("workload runner", () => {
  it("lets a workload write its checkpoint on SIGTERM and reports a clean exit with its last lines", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rigshift-workload-"));
    dirs.push(dir);
    const checkpoint = join(dir, "step-42.ckpt");
    const w = await launch(
      nodeWorkload(
        `const fs = require("node:fs");
         console.log("gpus=" + process.env.CUDA_VISIBLE_DEVICES);
         console.error("warming up");
         process.on("SIGTERM", () => {
           fs.writeFileSync(${JSON.stringify(checkpoint)}, "weights at step 42");
           console.log("checkpoint saved at step 42");
           process.exit(0);
         });
         console.log("ready");
         setInterval(() => {}, 1000);`,
        { env: { CKPT_DIR: dir } },
      ),
    );

    const exit = await w.stop();
    expect(await readFile(checkpoint, "utf8")).toBe("weights at step 42");
    expect(exit).toMatchObject({ exitCode: 0, signal: null, killed: false });
    expect(exit.stopMs).toBeLessThan(5_000);
    expect(exit.durationMs).toBeGreaterThanOrEqual(exit.stopMs!);
    expect(exit.lastLogLines).toContain("checkpoint saved at step 42");
    // stdout and stderr both, and the workload saw only its GPUs.
    expect(exit.lastLogLines).toEqual(expect.arrayContaining(["gpus=0,1", "warming up"]));
  });

  it("SIGKILLs a workload that ignores SIGTERM once the grace is over", async () => {
    const w = await launch(
      nodeWorkload(
        `process.on("SIGTERM", () => console.log("not stopping"));
         console.log("ready");
         setInterval(() => {}, 1000);`,
        { checkpointGraceS: 1 },
      ),
    );

    const exit = await w.stop();
    expect(exit).toMatchObject({ exitCode: null, signal: "SIGKILL", killed: true });
    expect(exit.stopMs).toBeGreaterThanOrEqual(1_000);
    expect(exit.stopMs).toBeLessThan(3_000);
    expect(exit.lastLogLines).toContain("not stopping");
  });

  it("stops every process the workload forked, not just the first", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rigshift-workload-"));
    dirs.push(dir);
    const marker = join(dir, "grandchild-alive");
    const w = await launch(
      nodeWorkload(
        `const { spawn } = require("node:child_process");
         // A launcher (torchrun-like) with a worker that ignores SIGTERM.
         spawn(process.execPath, ["-e", 'process.on("SIGTERM", () => {}); setInterval(() => require("node:fs").writeFileSync(${JSON.stringify(marker)}, String(Date.now())), 100)'], { stdio: "ignore" });
         process.on("SIGTERM", () => process.exit(0));
         console.log("ready");
         setInterval(() => {}, 1000);`,
        { checkpointGraceS: 1 },
      ),
    );
    for (let i = 0; i < 50 && !(await access(marker).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
    const exit = await w.stop();
    // The launcher exited at once, but the worker kept the GPU: it was SIGKILLed after the grace,
    // and the stop resolved only then.
    expect(exit).toMatchObject({ exitCode: 0, killed: true });
    expect(exit.stopMs).toBeGreaterThanOrEqual(1_000);
    const last = Number(await readFile(marker, "utf8"));
    await new Promise((r) => setTimeout(r, 400));
    expect(Number(await readFile(marker, "utf8"))).toBe(last);
  });

  it("keeps only the last 50 lines of a chatty workload", async () => {
    const w = await launch(
      nodeWorkload(
        `for (let i = 0; i < 200; i++) console.log("loss step " + i);
         console.log("ready");
         process.on("SIGTERM", () => process.exit(3));
         setInterval(() => {}, 1000);`,
      ),
    );
    const exit = await w.stop();
    expect(exit.exitCode).toBe(3);
    expect(exit.lastLogLines).toHaveLength(50);
    expect(exit.lastLogLines.at(-1)).toBe("ready");
    expect(exit.lastLogLines[0]).toBe("loss step 151");
  });

  it("reports a workload that exits on its own, and rejects one that cannot start", async () => {
    const w = await startWorkload(nodeWorkload(`console.log("done"); process.exit(7)`), { baseEnv: BASE_ENV });
    expect(await w.exited).toMatchObject({ exitCode: 7, killed: false, stopMs: null, lastLogLines: ["done"] });
    await expect(startWorkload(nodeWorkload("", { command: "/nonexistent/trainer" }), { baseEnv: BASE_ENV })).rejects.toThrow(/ENOENT/);
  });
});
