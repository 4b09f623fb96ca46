import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readAgentStatus } from "./status-file";
import { startStatusReporter, type AgentStatusSnapshot } from "./status-reporter";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("status reporter", () => {
  it("keeps the status file current while the agent runs and removes it on stop", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "rigshift-reporter-")), "agent.status.json");
    let snapshot: AgentStatusSnapshot = {
      server: "https://rigshift.example.com", rigId: "0b5f4a52-4c1e-4d8e-9a43-5f0a3c9d7e21",
      connected: false, lastAckedSeq: null, spooledMessages: 1,
      gpus: [{ index: 0, model: "NVIDIA GeForce RTX 3060", mode: "IDLE" }],
    };
    const errors: unknown[] = [];
    const reporter = startStatusReporter({ path, intervalMs: 50, snapshot: () => snapshot, pid: 777, onError: (e) => errors.push(e) });
    await sleep(30);
    const first = await readAgentStatus(path);
    expect(first).toMatchObject({ pid: 777, connected: false, spooledMessages: 1 });

    snapshot = { ...snapshot, connected: true, lastAckedSeq: 5, spooledMessages: 0, gpus: [{ index: 0, model: "NVIDIA GeForce RTX 3060", mode: "HASHING" }] };
    await sleep(120);
    const later = await readAgentStatus(path);
    expect(later).toMatchObject({ connected: true, lastAckedSeq: 5, spooledMessages: 0, gpus: [{ mode: "HASHING" }], startedAt: first!.startedAt });
    expect(Date.parse(later!.updatedAt)).toBeGreaterThan(Date.parse(first!.updatedAt));

    await reporter.stop();
    expect(await readAgentStatus(path)).toBeNull();
    expect(errors).toEqual([]);
  });
});
