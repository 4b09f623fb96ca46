import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agentStatusPath, readAgentStatus, StatusFileError, writeAgentStatus, type AgentStatus } from "./status-file";

const STATUS: AgentStatus = {
  pid: 4242,
  startedAt: "2026-03-01T02:00:00.000Z",
  updatedAt: "2026-03-01T02:10:00.000Z",
  server: "https://rigshift.example.com",
  rigId: "0b5f4a52-4c1e-4d8e-9a43-5f0a3c9d7e21",
  connected: true,
  lastAckedSeq: 120,
  spooledMessages: 3,
  gpus: [
    { index: 0, model: "NVIDIA GeForce RTX 3060", mode: "HASHING" },
    { index: 1, model: "AMD Radeon RX 6800", mode: "AI" },
  ],
};

const tempDir = () => mkdtemp(join(tmpdir(), "rigshift-status-"));

describe("agent status file", () => {
  it("reads back what was written, and leaves no temp file behind", async () => {
    const dir = await tempDir();
    const path = join(dir, "nested", "agent.status.json");
    await writeAgentStatus(path, STATUS);
    await writeAgentStatus(path, { ...STATUS, lastAckedSeq: 121, spooledMessages: 0 });
    expect(await readAgentStatus(path)).toEqual({ ...STATUS, lastAckedSeq: 121, spooledMessages: 0 });
    expect(await readdir(join(dir, "nested"))).toEqual(["agent.status.json"]);
  });

  it("keeps a negative last seq the gateway acked: history stored below the agent's first seq", async () => {
    const path = join(await tempDir(), "agent.status.json");
    await writeAgentStatus(path, { ...STATUS, lastAckedSeq: -1 });
    expect((await readAgentStatus(path))?.lastAckedSeq).toBe(-1);
  });

  it("reads a missing file as null: the agent has not written one", async () => {
    expect(await readAgentStatus(join(await tempDir(), "none.json"))).toBeNull();
  });

  it("names the file and the problem when it is not a status", async () => {
    const dir = await tempDir();
    const garbled = join(dir, "garbled.json");
    await writeFile(garbled, "{\"pid\":");
    await expect(readAgentStatus(garbled)).rejects.toThrow(new StatusFileError(`status file ${garbled} is not valid JSON`));
    const wrong = join(dir, "wrong.json");
    await writeFile(wrong, JSON.stringify({ ...STATUS, gpus: [{ index: 0, model: "x", mode: "SLEEPING" }] }));
    await expect(readAgentStatus(wrong)).rejects.toThrow(/wrong\.json is invalid: .*gpus/);
  });

  it("refuses to write a status that is not one", async () => {
    const path = join(await tempDir(), "s.json");
    await expect(writeAgentStatus(path, { ...STATUS, pid: -1 })).rejects.toThrow();
    expect(await readAgentStatus(path)).toBeNull();
  });

  it("lives beside the config file, or in the spool dir when the config names one", () => {
    expect(agentStatusPath("/srv/rig/agent.json", {})).toBe("/srv/rig/agent.json.status.json");
    expect(agentStatusPath("/etc/rigshift/agent.json", { spoolDir: "/var/lib/rigshift/spool" })).toBe("/var/lib/rigshift/spool/agent.status.json");
    expect(
      agentStatusPath("/etc/rigshift/agent.json", { spool: { dir: "spool", maxBytes: 2 ** 20, maxAgeS: 60, replayPerS: 1 } }),
    ).toBe("/etc/rigshift/spool/agent.status.json");
  });
});
