import { spawn, spawnSync } from "node:child_process";
import { copyFile, mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGateway, waitFor } from "../testing/fake-gateway";

/**
 * The single file `npm run build` makes, run the way a rig runs it: plain `node`, in a folder
 * with no node_modules anywhere above it (os.tmpdir()).
 */
const AGENT_DIR = resolve(import.meta.dirname, "../..");
let runDir = "";
let bundle = "";

// Asynchronous: the fake gateway in this process must keep answering while the bundle runs.
const runBundle = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [bundle, ...args], { cwd: runDir, env: { PATH: process.env.PATH ?? "", ...env }, timeout: 30_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => done({ code, stdout, stderr }));
  });

beforeAll(async () => {
  const buildDir = await mkdtemp(join(tmpdir(), "rigshift-build-"));
  const built = spawnSync(process.execPath, ["build.mjs", join(buildDir, "rigshift-agent.mjs")], { cwd: AGENT_DIR, encoding: "utf8" });
  expect(built.stderr).toBe("");
  expect(built.status).toBe(0);
  runDir = await mkdtemp(join(tmpdir(), "rigshift-bundle-run-"));
  bundle = join(runDir, "rigshift-agent.mjs");
  await copyFile(join(buildDir, "rigshift-agent.mjs"), bundle);
}, 60_000);

const gateways: FakeGateway[] = [];
const startGateway = async () => {
  const gw = await new FakeGateway().start();
  gateways.push(gw);
  return gw;
};
afterAll(async () => {
  await Promise.all(gateways.map((gw) => gw.stop()));
});

describe("the single-file agent bundle", () => {
  it("is one executable file that starts with a node shebang", async () => {
    expect(await readdir(runDir)).toEqual(["rigshift-agent.mjs"]);
    expect((await readFile(bundle, "utf8")).split("\n", 1)[0]).toBe("#!/usr/bin/env node");
    expect((await stat(bundle)).mode & 0o111).not.toBe(0);
  });

  it("lists simulated GPUs as JSON without node_modules", async () => {
    const r = await runBundle(["gpus", "--json", "--simulate", "NVIDIA GeForce RTX 3060;AMD Radeon RX 6800"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const gpus = JSON.parse(r.stdout) as { index: number; vendor: string; model: string; pciBusId: string }[];
    expect(gpus.map((g) => [g.index, g.vendor, g.model])).toEqual([
      [0, "nvidia", "NVIDIA GeForce RTX 3060"],
      [1, "amd", "AMD Radeon RX 6800"],
    ]);
    expect(gpus[0]!.pciBusId).toMatch(/^0000:[0-9a-f]{2}:00\.0$/);
  });

  it("prints its usage with --help, and usage plus exit 2 for an unknown command", async () => {
    const help = await runBundle(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: rigshift-agent <command>/);
    for (const command of ["enroll", "run", "install", "status", "gpus", "miner-stats"]) expect(help.stdout).toContain(`\n  ${command} `);
    const wrong = await runBundle(["mine"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('unknown command "mine"');
  });

  it("installs itself under --root, and status then reads the installed config", async () => {
    const gw = await startGateway();
    const root = await mkdtemp(join(tmpdir(), "rigshift-bundle-root-"));
    const r = await runBundle(["install", "--server", gw.url, "--token", gw.enrollToken, "--root", root]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Enrolled rig ${gw.rigId}`);
    expect(await readFile(join(root, "opt/rigshift/rigshift-agent.mjs"))).toEqual(await readFile(bundle));

    const s = await runBundle(["status", "--json", "--config", join(root, "etc/rigshift/agent.json")]);
    expect(s.code).toBe(3);
    expect(JSON.parse(s.stdout)).toMatchObject({ running: false, notRunningReason: "NO_STATUS_FILE", rigId: gw.rigId, server: gw.url });
  }, 30_000);

  it("enrols and runs against a gateway: logging and socket.io work bundled", async () => {
    const gw = await startGateway();
    const configPath = join(await mkdtemp(join(tmpdir(), "rigshift-bundle-cfg-")), "agent.json");
    const enroll = await runBundle(["enroll", "--server", gw.url, "--token", gw.enrollToken, "--config", configPath, "--simulate", "NVIDIA GeForce RTX 3060"]);
    expect(enroll.code).toBe(0);

    const child = spawn(process.execPath, [bundle, "run", "--config", configPath], { cwd: runDir, env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info" } });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    try {
      await waitFor("telemetry from the bundled agent", () => gw.stored.size > 0, 15_000);
      expect(gw.hellos[0]!.gpus.map((g) => g.model)).toEqual(["NVIDIA GeForce RTX 3060"]);
      // pino's JSON lines, with the rig token redacted.
      expect(stdout).toContain('"msg":"agent started"');
      expect(stdout).not.toContain(gw.rigToken);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(gw.violations).toEqual([]);
  }, 40_000);
});
