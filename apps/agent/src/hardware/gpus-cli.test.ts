import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runAgentCli } from "../testing/run-agent-cli";
import { catFixture, createFakeToolDir, type FakeToolDir } from "./fake-tools";


/** The CLI as a user runs it: `node --import tsx apps/agent/src/main.ts gpus …`. */
const gpusCli = (args: string[], env: Record<string, string> = {}) => runAgentCli(["gpus", ...args], env);

let tools: FakeToolDir;
let emptyPath: string;
beforeAll(async () => {
  tools = await createFakeToolDir();
  emptyPath = join(tools.dir, "empty-path");
  await mkdir(emptyPath);
});

describe("rigshift-agent gpus --json", { timeout: 30_000 }, () => {
  it("prints NVIDIA then AMD GPUs from the tools it is pointed at", async () => {
    const nvidia = await tools.script("nv-1070", catFixture("nvidia-smi-xml-1.xml"));
    const rocm = await tools.script("rocm-vega10", catFixture("rocm-smi-json-h3.json"));
    const { code, stdout, stderr } = await gpusCli(["--json", "--nvidia-smi", nvidia, "--rocm-smi", rocm], { PATH: emptyPath });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      {
        index: 0, uuid: "GPU-e511a7b2-f9d5-ba47-9b98-853732ca6c1b", pciBusId: "0000:01:00.0", vendor: "nvidia", model: "GeForce GTX 1070",
        vramMb: 8112, vramUsedMb: 2028, tempC: 60, powerW: 119.47, powerLimitW: 180, fanPct: 41, utilPct: 100, coreClockMhz: 1923, memClockMhz: 3802, driverVersion: "384.66",
      },
      expect.objectContaining({ index: 1, pciBusId: "0000:03:00.0", tempC: 59, powerW: 139.3 }),
      {
        index: 2, uuid: "0x2150e7d042a1124", pciBusId: "0000:04:00.0", vendor: "amd", model: "AMD GPU 0x6861",
        vramMb: 16368, vramUsedMb: 17, tempC: 39, powerW: 15, powerLimitW: 170, fanPct: 13, utilPct: 0, coreClockMhz: 1269, memClockMhz: 167, driverVersion: "5.9.25",
      },
    ]);
  });

  it("finds nvidia-smi on PATH and skips an absent rocm-smi without a word", async () => {
    await tools.script("nvidia-smi", catFixture("nvidia-smi-xml-2.xml"));
    const { code, stdout, stderr } = await gpusCli(["--json"], { PATH: tools.dir });
    expect([code, stderr]).toEqual([0, ""]);
    expect(JSON.parse(stdout).map((g: { index: number; pciBusId: string; fanPct: number | null }) => [g.index, g.pciBusId, g.fanPct])).toEqual([
      [0, "1580:00:00.0", null],
      [1, "2df7:00:00.0", null],
      [2, "4968:00:00.0", null],
      [3, "f8d6:00:00.0", null],
    ]);
  });

  it("prints [] and exits 0 on a rig with no GPU tools", async () => {
    const { code, stdout, stderr } = await gpusCli(["--json"], { PATH: emptyPath });
    expect([code, stdout, stderr]).toEqual([0, "[]\n", ""]);
  });

  it("kills a hung nvidia-smi at the timeout and still prints the AMD GPUs", async () => {
    const pidFile = join(tools.dir, "nv-hung.pid");
    const hung = await tools.script("nv-hung", `echo $$ > ${pidFile}; exec sleep 60`);
    const rocm = await tools.script("rocm-mi50", catFixture("rocm-smi-json-3.json"));
    const { code, stdout, stderr, ms } = await gpusCli(["--json", "--timeout", "1", "--nvidia-smi", hung, "--rocm-smi", rocm], { PATH: emptyPath });
    expect(code).toBe(0);
    expect(stderr).toBe(`rigshift-agent gpus: nvidia-smi readings missing: ${hung} timed out after 1000 ms\n`);
    expect(JSON.parse(stdout)).toEqual([expect.objectContaining({ vendor: "amd", model: "Radeon Instinct MI50 32GB", pciBusId: "0000:63:00.0", tempC: 36 })]);
    // The CLI returned long before the tool's 60 s, and the tool is gone, not left behind.
    expect(ms).toBeLessThan(30_000);
    const pid = Number(await readFile(pidFile, "utf8"));
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
    expect(stat === null || stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")).toBe(true);
  });

  it("reports a failing tool's exit code and words, and prints []", async () => {
    const failing = await tools.script("nv-fail", `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." ; exit 9`);
    const { code, stdout, stderr } = await gpusCli(["--json", "--nvidia-smi", failing], { PATH: emptyPath });
    expect([code, stdout]).toEqual([0, "[]\n"]);
    expect(stderr).toContain(`nvidia-smi readings missing: ${failing} exited with code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.`);
  });

  it("treats garbage output as missing readings, not as GPUs", async () => {
    const garbage = await tools.script("nv-garbage", "head -c 2000 /dev/urandom; echo '<nvidia_smi_log><gpu>'");
    const rocmGarbage = await tools.script("rocm-garbage", "echo 'Segmentation fault (core dumped)'");
    const { code, stdout, stderr } = await gpusCli(["--json", "--nvidia-smi", garbage, "--rocm-smi", rocmGarbage], { PATH: emptyPath });
    expect([code, stdout]).toEqual([0, "[]\n"]);
    expect(stderr).toMatch(/nvidia-smi readings missing: not nvidia-smi XML/);
    expect(stderr).toMatch(/rocm-smi readings missing: not rocm-smi JSON/);
  });

  it("reports a named tool that does not exist", async () => {
    const { code, stdout, stderr } = await gpusCli(["--json", "--rocm-smi", "/opt/rocm/bin/no-such-rocm-smi"], { PATH: emptyPath });
    expect([code, stdout]).toEqual([0, "[]\n"]);
    expect(stderr).toBe("rigshift-agent gpus: rocm-smi readings missing: /opt/rocm/bin/no-such-rocm-smi not found\n");
  });

  it("prints the simulated GPUs in the same shape", async () => {
    const { code, stdout } = await gpusCli(["--json", "--simulate", "NVIDIA GeForce RTX 3080;AMD Radeon RX 6800"], { PATH: emptyPath });
    expect(code).toBe(0);
    const gpus = JSON.parse(stdout);
    expect(gpus.map((g: Record<string, unknown>) => [g.index, g.vendor, g.model, g.vramMb, g.pciBusId])).toEqual([
      [0, "nvidia", "NVIDIA GeForce RTX 3080", 10240, "0000:01:00.0"],
      [1, "amd", "AMD Radeon RX 6800", 16368, "0000:02:00.0"],
    ]);
    expect(Object.keys(gpus[0]).sort()).toEqual(
      ["coreClockMhz", "driverVersion", "fanPct", "index", "memClockMhz", "model", "pciBusId", "powerLimitW", "powerW", "tempC", "utilPct", "uuid", "vendor", "vramMb", "vramUsedMb"],
    );
  });
});

describe("rigshift-agent gpus (table and arguments)", { timeout: 30_000 }, () => {
  it("prints a readable table, with - where the tool does not say", async () => {
    const nvidia = await tools.script("nv-k80", catFixture("nvidia-smi-xml-2.xml"));
    const { code, stdout } = await gpusCli(["--nvidia-smi", nvidia], { PATH: emptyPath });
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^IDX\s+VENDOR\s+MODEL\s+PCI BUS\s+VRAM USED\/TOTAL\s+TEMP\s+POWER\/LIMIT\s+FAN\s+UTIL\s+CORE\/MEM\s+DRIVER$/);
    expect(lines[1]!.split(/\s{2,}/)).toEqual(["0", "nvidia", "Tesla K80", "1580:00:00.0", "587/11441 MiB", "64 C", "135.72/149 W", "-", "99%", "810/2505 MHz", "430.26"]);
    expect(lines).toHaveLength(5);
  });

  it("exits 1 on bad arguments", async () => {
    const bad = await gpusCli(["--json", "--timeout", "soon"], { PATH: emptyPath });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--timeout must be a number of seconds between 0 and 600, got "soon"');
    expect((await gpusCli(["--frobnicate"], { PATH: emptyPath })).code).toBe(1);
    expect((await gpusCli(["--simulate", "GeForce 256"], { PATH: emptyPath })).code).toBe(1);
  });
});
