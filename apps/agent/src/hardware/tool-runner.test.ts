import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createFakeToolDir, type FakeToolDir } from "./fake-tools";
import { findExecutable, runTool } from "./tool-runner";

/** Running, not a zombie: a killed orphan waits as one until PID 1 reaps it, which in a container may be late. */
const alive = async (pid: number) => {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
};

let tools: FakeToolDir;
beforeAll(async () => {
  tools = await createFakeToolDir();
});

describe("runTool", () => {
  it("returns what the tool printed", async () => {
    const tool = await tools.script("ok", 'echo "hello $1"');
    expect(await runTool({ command: tool, args: ["rig"] })).toMatchObject({ ok: true, stdout: "hello rig\n" });
  });

  it("kills a hung tool and its children within the timeout, and says so", async () => {
    // The shell forks a child that would outlive a plain kill of the shell.
    const tool = await tools.script("hang", `sleep 30 & echo $! > ${join(tools.dir, "hang.child")}; wait`);
    const started = Date.now();
    const result = await runTool({ command: tool, args: [], timeoutMs: 500 });
    const tookMs = Date.now() - started;
    expect(result).toMatchObject({ ok: false, failure: "TIMEOUT", reason: `${tool} timed out after 500 ms` });
    expect(tookMs).toBeGreaterThanOrEqual(490);
    expect(tookMs).toBeLessThan(2_000);
    const child = Number(await readFile(join(tools.dir, "hang.child"), "utf8"));
    await expect.poll(() => alive(child), { timeout: 2_000 }).toBe(false);
  });

  it("reports a missing executable instead of throwing", async () => {
    expect(await runTool({ command: join(tools.dir, "no-such-tool"), args: [] })).toMatchObject({ ok: false, failure: "NOT_FOUND" });
  });

  it("reports a failing tool with its exit code and what it said", async () => {
    const tool = await tools.script("fail", 'echo "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver." >&2; exit 9');
    expect(await runTool({ command: tool, args: [] })).toMatchObject({
      ok: false,
      failure: "EXIT_CODE",
      exitCode: 9,
      reason: `${tool} exited with code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.`,
    });
  });

  it("stops a tool that floods its output", async () => {
    const tool = await tools.script("flood", "yes garbage");
    const result = await runTool({ command: tool, args: [], maxOutputBytes: 64 * 1024 });
    expect(result).toMatchObject({ ok: false, failure: "OUTPUT_TOO_LARGE" });
    expect(result.stdout.length).toBeLessThanOrEqual(64 * 1024);
  });
});

describe("findExecutable", () => {
  it("finds a tool on PATH and skips one that is not there", async () => {
    await tools.script("nvidia-smi", "exit 0");
    expect(findExecutable("nvidia-smi", `/nonexistent:${tools.dir}`)).toBe(join(tools.dir, "nvidia-smi"));
    expect(findExecutable("rocm-smi", tools.dir)).toBeNull();
    expect(findExecutable("rocm-smi", undefined)).toBeNull();
  });
});
