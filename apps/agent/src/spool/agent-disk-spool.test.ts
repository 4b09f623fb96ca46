import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { AgentConfigFile } from "@rigshift/config";
import { createSimulatedBackend } from "../backends/simulated";
import { startAgent, type RunningAgent } from "../agent";
import { FakeGateway, waitFor } from "../testing/fake-gateway";
import { resolveSpoolSettings } from "./spool-settings";

const log = pino({ level: "silent" });
const MODELS = ["NVIDIA GeForce RTX 3060"];
const LINK = { reconnectMinMs: 50, reconnectMaxMs: 200, ackTimeoutMs: 2_000 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const launch = (gw: FakeGateway, spoolDir: string, spool: Partial<AgentConfigFile["spool"]> = {}): RunningAgent => {
  const config: AgentConfigFile = {
    server: gw.url, rigId: gw.rigId, rigToken: gw.rigToken, intervalS: 1, simulate: MODELS,
    spool: { dir: spoolDir, maxBytes: 256 * 1024 * 1024, maxAgeS: 86_400, replayPerS: 50, ...spool },
  };
  const agent = startAgent({ config, backend: createSimulatedBackend({ models: MODELS, seed: 3 }), log, link: LINK });
  cleanups.push(() => agent.stop());
  return agent;
};

describe("agent with the disk spool", () => {
  it("keeps samples taken during an outage across an agent restart, and the gateway ends with every seq once", async () => {
    const spoolDir = await mkdtemp(join(tmpdir(), "rigshift-agent-spool-"));
    cleanups.push(() => rm(spoolDir, { recursive: true, force: true }));
    const gw = await new FakeGateway({ lastSeq: 99 }).start();
    cleanups.push(() => gw.stop());

    const first = launch(gw, spoolDir);
    await waitFor("first telemetry stored", () => gw.stored.size > 0);
    await gw.stop();
    // Samples taken while the gateway is away wait on disk.
    await sleep(2_500);
    await first.stop();
    const storedBefore = gw.stored.size;

    // The agent restarts while the gateway is still away, then the gateway comes back.
    const second = launch(gw, spoolDir);
    await sleep(1_500);
    await gw.start();
    await waitFor("the backlog and new samples", () => gw.stored.size >= storedBefore + 5, 15_000);
    await waitFor("the spool to drain", () => second.lastAckedSeq() === Math.max(...gw.stored.keys()), 10_000);

    const seqs = [...gw.stored.keys()].sort((a, b) => a - b);
    // No hole: every sample from both lives of the agent arrived, numbered after the stored 99.
    expect(seqs[0]).toBe(100);
    expect(seqs).toEqual(seqs.map((_, i) => 100 + i));
    // No seq reused for a different sample (the gateway would have kept only the first).
    for (const t of gw.received) expect(t.at).toBe(gw.stored.get(t.seq)!.at);
    const times = seqs.map((s) => Date.parse(gw.stored.get(s)!.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(gw.violations).toEqual([]);
  }, 40_000);

  it("defaults the spool to a folder beside the config file, and takes relative dirs from there", () => {
    const base = { server: "http://127.0.0.1:1", rigId: "7f0c1a52-1d55-4c26-9f1e-0c7d4e3c9a11", rigToken: "x".repeat(40), intervalS: 5, simulate: null };
    expect(resolveSpoolSettings(base, "/etc/rigshift/agent.json")).toEqual({
      dir: "/etc/rigshift/rigshift-spool", maxBytes: 256 * 1024 * 1024, maxAgeS: 7 * 86_400, replayPerS: 50,
    });
    expect(resolveSpoolSettings({ ...base, spool: { dir: "spool", maxBytes: 2 ** 20, maxAgeS: 600, replayPerS: 5 } }, "/etc/rigshift/agent.json"))
      .toEqual({ dir: "/etc/rigshift/spool", maxBytes: 2 ** 20, maxAgeS: 600, replayPerS: 5 });
    expect(resolveSpoolSettings({ ...base, spoolDir: "/var/lib/rigshift" })?.dir).toBe("/var/lib/rigshift");
    // No config path and no dir (tests, embedders): the in-memory spool.
    expect(resolveSpoolSettings(base)).toBeNull();
  });

  it("replays a backlog no faster than replayPerS", async () => {
    const spoolDir = await mkdtemp(join(tmpdir(), "rigshift-agent-spool-"));
    cleanups.push(() => rm(spoolDir, { recursive: true, force: true }));
    const gw = await new FakeGateway().start();
    cleanups.push(() => gw.stop());
    // Fill a backlog of 60 samples directly through the spool the agent will find.
    const { openDiskSpool } = await import("./disk-spool");
    const spool = await openDiskSpool({ dir: join(spoolDir, `telemetry-${gw.rigId}`), maxBytes: 2 ** 24, maxAgeS: 86_400, now: () => new Date(), log });
    const at = Date.now() - 600_000;
    for (let seq = 0; seq < 60; seq++) {
      await spool.append({ v: 1, seq, at: new Date(at + seq * 5_000).toISOString(), gpus: [{ index: 0, mode: "IDLE", coin: null, workloadId: null, hashrateHs: null, tempC: 40, powerW: 20, fanPct: 30, utilPct: 0, vramUsedMb: 300 }] });
    }
    await spool.close();
    expect((await readdir(join(spoolDir, `telemetry-${gw.rigId}`))).some((f) => f.startsWith("seg-"))).toBe(true);

    const startedAt = Date.now();
    launch(gw, spoolDir, { replayPerS: 20 });
    await waitFor("the whole backlog", () => [...Array(60).keys()].every((s) => gw.stored.has(s)), 15_000);
    const tookMs = Date.now() - startedAt;
    // 60 messages at 20/s with a one-second burst: at least (60 - 20) / 20 = 2 s.
    expect(tookMs).toBeGreaterThanOrEqual(1_900);
    expect(tookMs).toBeLessThan(8_000);
  }, 30_000);
});
