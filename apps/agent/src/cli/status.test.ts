import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeAgentStatus, type AgentStatus } from "../status/status-file";
import { parseCli } from "./args";
import { writeConfigFile } from "./config-file";
import { runStatusCommand } from "./status";

const RIG_ID = "0b5f4a52-4c1e-4d8e-9a43-5f0a3c9d7e21";
const NOW = new Date("2026-03-01T02:10:00.000Z");
const AGENT_PID = 4242;

const status = (over: Partial<AgentStatus> = {}): AgentStatus => ({
  pid: AGENT_PID,
  startedAt: "2026-03-01T01:00:00.000Z",
  updatedAt: "2026-03-01T02:09:57.000Z",
  server: "https://rigshift.example.com",
  rigId: RIG_ID,
  connected: true,
  lastAckedSeq: 719,
  spooledMessages: 2,
  gpus: [
    { index: 0, model: "NVIDIA GeForce RTX 3060", mode: "HASHING" },
    { index: 1, model: "AMD Radeon RX 6800", mode: "DRAINING_AI" },
  ],
  ...over,
});

/** A config as `enroll` writes it, and (unless null) the status the agent last wrote beside it. */
const setup = async (agentStatus: AgentStatus | null) => {
  const dir = await mkdtemp(join(tmpdir(), "rigshift-status-cmd-"));
  const configPath = join(dir, "agent.json");
  await writeConfigFile(configPath, { server: "https://rigshift.example.com", rigId: RIG_ID, rigToken: "r".repeat(40), intervalS: 5, simulate: null });
  if (agentStatus) await writeAgentStatus(`${configPath}.status.json`, agentStatus);
  return { dir, configPath };
};

const runStatus = async (argv: string[], opts: { alive?: (pid: number) => boolean; installedConfigPath?: string } = {}) => {
  let out = "";
  const code = await runStatusCommand(parseCli(["status", ...argv]) as Extract<ReturnType<typeof parseCli>, { command: "status" }>, {
    stdout: (t) => (out += t),
    now: () => NOW,
    isProcessAlive: opts.alive ?? ((pid) => pid === AGENT_PID),
    installedConfigPath: opts.installedConfigPath ?? "/nonexistent/agent.json",
  });
  return { code, out };
};

describe("rigshift-agent status", () => {
  it("reports a running, connected agent with its backlog and GPU modes (exit 0)", async () => {
    const { configPath } = await setup(status());
    const { code, out } = await runStatus(["--config", configPath]);
    expect(code).toBe(0);
    expect(out).toContain("running (pid 4242, started 2026-03-01T01:00:00.000Z, status updated 3s ago)");
    expect(out).toContain("Gateway:   connected to https://rigshift.example.com");
    expect(out).toContain(`Rig:       ${RIG_ID}`);
    expect(out).toContain("last acked seq 719, 2 waiting to be sent");
    expect(out).toMatch(/0\s+NVIDIA GeForce RTX 3060\s+HASHING/);
    expect(out).toMatch(/1\s+AMD Radeon RX 6800\s+DRAINING_AI/);
  });

  it("says running but not connected while the gateway is unreachable", async () => {
    const { configPath } = await setup(status({ connected: false, spooledMessages: 40 }));
    const { code, out } = await runStatus(["--config", configPath]);
    expect(code).toBe(0);
    expect(out).toContain("Gateway:   not connected to https://rigshift.example.com");
    expect(out).toContain("40 waiting to be sent");
  });

  it("says not running when the status is 3 intervals old, though the pid still exists (exit 3)", async () => {
    const { configPath } = await setup(status({ updatedAt: "2026-03-01T02:09:45.000Z" }));
    const { code, out } = await runStatus(["--config", configPath]);
    expect(code).toBe(3);
    expect(out).toContain("not running (pid 4242 has not updated its status since 15s ago: stuck or gone)");
    expect(out).toContain("Gateway:   not connected");
    expect(out).toContain("(as last reported)");
  });

  it("says not running when the agent's process has exited", async () => {
    const { configPath } = await setup(status());
    const { code, out } = await runStatus(["--config", configPath], { alive: () => false });
    expect(code).toBe(3);
    expect(out).toContain("not running (pid 4242 has exited; last status 3s ago)");
  });

  it("says not running without a status file, still showing the config's server and rig", async () => {
    const { configPath } = await setup(null);
    const { code, out } = await runStatus(["--config", configPath]);
    expect(code).toBe(3);
    expect(out).toContain(`not running (no status file at ${configPath}.status.json`);
    expect(out).toContain("not connected to https://rigshift.example.com");
    expect(out).toContain(`Rig:       ${RIG_ID}`);
  });

  it("prints one JSON object with --json", async () => {
    const { configPath } = await setup(status());
    const { code, out } = await runStatus(["--config", configPath, "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({
      running: true,
      connected: true,
      notRunningReason: null,
      configPath,
      statusPath: `${configPath}.status.json`,
      server: "https://rigshift.example.com",
      rigId: RIG_ID,
      pid: AGENT_PID,
      startedAt: "2026-03-01T01:00:00.000Z",
      updatedAt: "2026-03-01T02:09:57.000Z",
      updatedAgoS: 3,
      lastAckedSeq: 719,
      spooledMessages: 2,
      gpus: status().gpus,
    });

    const missing = await setup(null);
    const stopped = JSON.parse((await runStatus(["--config", missing.configPath, "--json"])).out);
    expect(stopped).toMatchObject({ running: false, connected: false, notRunningReason: "NO_STATUS_FILE", pid: null, lastAckedSeq: null, gpus: [] });
  });

  it("finds the installed config when none is named and there is none in the working directory", async () => {
    const { configPath } = await setup(status());
    const { code, out } = await runStatus([], { installedConfigPath: configPath });
    expect(code).toBe(0);
    expect(out).toContain(`Config:    ${configPath}`);
  });

  it("fails with the config's problem when there is no config", async () => {
    await expect(runStatus(["--config", "/nonexistent/agent.json"])).rejects.toThrow(/config file \/nonexistent\/agent.json not found/);
  });

  it("takes only --config and --json", () => {
    expect(parseCli(["status", "--json"], { RIGSHIFT_AGENT_CONFIG: "/etc/rigshift/agent.json" })).toEqual({
      command: "status", configPath: "/etc/rigshift/agent.json", configExplicit: true, json: true,
    });
    expect(() => parseCli(["status", "--server", "https://x.example"])).toThrow(/--server is not an option of status/);
  });
});
