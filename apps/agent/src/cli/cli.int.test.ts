import { spawn } from "node:child_process";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ZAgentConfigFile } from "@rigshift/config";
import { FakeGateway, waitFor } from "../testing/fake-gateway";

const REPO_ROOT = resolve(import.meta.dirname, "../../../..");
const TSX = join(REPO_ROOT, "node_modules/.bin/tsx");
const MAIN = join(REPO_ROOT, "apps/agent/src/main.ts");

/** The CLI as a user runs it (`npm run agent -- …` is `tsx apps/agent/src/main.ts …`). */
const agentCli = (args: string[], env: Record<string, string> = {}) => {
  const child = spawn(TSX, [MAIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, LOG_LEVEL: "warn", ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return { child, exited, out: () => ({ stdout, stderr }) };
};

let gateway: FakeGateway | null = null;
afterEach(async () => {
  await gateway?.stop();
  gateway = null;
});

describe("rigshift-agent CLI", () => {
  it("enrolls: writes an owner-only config the run command then uses to connect", async () => {
    const gw = (gateway = await new FakeGateway().start());
    const dir = await mkdtemp(join(tmpdir(), "rigshift-agent-"));
    const configPath = join(dir, "etc", "rigshift", "agent.json");

    const enroll = agentCli([
      "enroll", "--server", gw.url, "--token", gw.enrollToken, "--config", configPath,
      "--simulate", "NVIDIA GeForce RTX 3060; AMD Radeon RX 6800",
    ]);
    expect(await enroll.exited).toBe(0);
    expect(enroll.out().stdout).toContain(gw.rigId);

    expect(gw.enrollRequests).toEqual([{ token: gw.enrollToken, hostname: expect.any(String), agentVersion: "0.1.0" }]);
    const config = ZAgentConfigFile.parse(JSON.parse(await readFile(configPath, "utf8")));
    expect(config).toEqual({
      server: gw.url, rigId: gw.rigId, rigToken: gw.rigToken, intervalS: 5,
      simulate: ["NVIDIA GeForce RTX 3060", "AMD Radeon RX 6800"],
    });
    expect((await stat(configPath)).mode & 0o777).toBe(0o600);

    // The config path from the environment, as systemd would pass it.
    const run = agentCli(["run"], { RIGSHIFT_AGENT_CONFIG: configPath });
    await waitFor("the agent's hello", () => gw.hellos.length > 0, 15_000);
    expect(gw.hellos[0]!.gpus.map((g) => [g.model, g.vendor])).toEqual([
      ["NVIDIA GeForce RTX 3060", "NVIDIA"],
      ["AMD Radeon RX 6800", "AMD"],
    ]);
    await waitFor("first telemetry", () => gw.received.length > 0, 5_000);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(gw.violations).toEqual([]);
  }, 40_000);

  it("prints the server's reason and exits 1 when the enrolment token is refused", async () => {
    const gw = (gateway = await new FakeGateway().start());
    const dir = await mkdtemp(join(tmpdir(), "rigshift-agent-"));
    const configPath = join(dir, "agent.json");

    const enroll = agentCli(["enroll", "--server", gw.url, "--token", "wrong-token-0123456789", "--config", configPath]);
    expect(await enroll.exited).toBe(1);
    expect(enroll.out().stderr).toContain("enrolment token is unknown, used or expired");
    await expect(stat(configPath)).rejects.toThrow(/ENOENT/);
  }, 20_000);

  it("refuses to run with a config file that names its bad field", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rigshift-agent-"));
    const configPath = join(dir, "agent.json");
    await writeFile(configPath, JSON.stringify({ server: "http://127.0.0.1:1", rigId: "nope", rigToken: "x".repeat(40) }));

    const run = agentCli(["run", "--config", configPath]);
    expect(await run.exited).toBe(1);
    expect(run.out().stderr).toContain("rigId");
  }, 20_000);
});
