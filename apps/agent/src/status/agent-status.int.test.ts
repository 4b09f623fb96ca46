import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import type { AgentConfigFile } from "@rigshift/config";
import { afterEach, expect, it } from "vitest";
import { startAgent, type RunningAgent } from "../agent";
import { createSimulatedBackend } from "../backends/simulated";
import { FakeGateway } from "../testing/fake-gateway";
import { agentStatusPath, readAgentStatus } from "./status-file";

const MODELS = ["NVIDIA GeForce RTX 3060", "NVIDIA GeForce RTX 3090"];
let gateway: FakeGateway | null = null;
let agent: RunningAgent | null = null;
let dir: string | null = null;

afterEach(async () => {
  await agent?.stop();
  await gateway?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("keeps a status file that says the running agent is connected, its GPUs and modes, and removes it on stop", async () => {
  gateway = await new FakeGateway({}).start();
  dir = await mkdtemp(path.join(tmpdir(), "rigshift-status-"));
  const configPath = path.join(dir, "agent.json");
  const config: AgentConfigFile = { server: gateway.url, rigId: gateway.rigId, rigToken: gateway.rigToken, intervalS: 1, simulate: MODELS };
  const running = startAgent({
    config,
    configPath,
    backend: createSimulatedBackend({ models: MODELS, seed: 1, timings: { minerStartMs: 20, minerStopMs: 20, workloadStartMs: 20, workloadCheckpointMs: 20, minerApiDelayMs: 0, warmupMs: 0 } }),
    log: pino({ level: "silent" }),
    link: { reconnectMinMs: 50, reconnectMaxMs: 200, ackTimeoutMs: 1_000 },
  });
  agent = running;
  const statusPath = agentStatusPath(configPath, config);
  await expect.poll(async () => (await readAgentStatus(statusPath))?.connected, { timeout: 10_000 }).toBe(true);
  const status = (await readAgentStatus(statusPath))!;
  expect(status).toMatchObject({ pid: process.pid, rigId: gateway.rigId, server: gateway.url });
  expect(status.gpus).toEqual([
    { index: 0, model: "NVIDIA GeForce RTX 3060", mode: "HASHING" },
    { index: 1, model: "NVIDIA GeForce RTX 3090", mode: "HASHING" },
  ]);

  await gateway.sendCommand({
    v: 1, id: randomUUID(), type: "switch", mode: "AI", expiresAt: new Date(Date.now() + 60_000).toISOString(),
    gpus: [{ index: 1, gpuId: gateway.gpuIds.get(1)! }], miner: null, workload: { workloadId: randomUUID(), checkpointGraceS: 1 },
  });
  await expect.poll(async () => (await readAgentStatus(statusPath))?.gpus[1]?.mode, { timeout: 10_000 }).toBe("AI");

  await running.stop();
  agent = null;
  expect(await readAgentStatus(statusPath)).toBeNull();
});
