import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ZCommandProgress, ZGpuInventory, ZTelemetry, type SwitchCommand } from "@rigshift/protocol";
import { createSimulatedBackend } from "./backends/simulated";
import { startAgent, type RunningAgent } from "./agent";
import { FakeGateway, waitFor, type FakeGatewayOptions } from "./testing/fake-gateway";

const log = pino({ level: process.env.TEST_LOG ?? "silent" });
const MODELS = ["NVIDIA GeForce RTX 3060", "NVIDIA GeForce RTX 3090"];
const FAST = { minerStartMs: 40, minerStopMs: 40, workloadStartMs: 40, workloadCheckpointMs: 40, minerApiDelayMs: 0, warmupMs: 0 };

let gateway: FakeGateway | null = null;
let agent: RunningAgent | null = null;

afterEach(async () => {
  await agent?.stop();
  await gateway?.stop();
  agent = null;
  gateway = null;
});

const launch = async (opts: FakeGatewayOptions & { gatewayDown?: boolean; timings?: Partial<typeof FAST> } = {}) => {
  const gw = await new FakeGateway(opts).start();
  gateway = gw;
  if (opts.gatewayDown) await gw.stop();
  const backend = createSimulatedBackend({ models: MODELS, seed: 7, timings: { ...FAST, ...opts.timings } });
  const running = startAgent({
    config: { server: gw.url, rigId: gw.rigId, rigToken: gw.rigToken, intervalS: 1, simulate: MODELS },
    backend,
    log,
    hostname: "rig-test-01",
    link: { reconnectMinMs: 50, reconnectMaxMs: 300, ackTimeoutMs: 2_000 },
  });
  agent = running;
  if (!opts.gatewayDown) await waitFor("agent to connect", () => running.connected());
  return { gw, running };
};

const switchCommand = (gw: FakeGateway, patch: Partial<SwitchCommand> = {}): SwitchCommand => ({
  v: 1,
  id: randomUUID(),
  type: "switch",
  mode: "AI",
  expiresAt: new Date(Date.now() + 60_000).toISOString(),
  gpus: [{ index: 0, gpuId: gw.gpuIds.get(0)! }],
  miner: null,
  workload: { workloadId: randomUUID(), checkpointGraceS: 5 },
  ...patch,
});

const progressOf = (gw: FakeGateway, commandId: string) => gw.progress.filter((p) => p.commandId === commandId);

describe("rig agent against a socket.io gateway", () => {
  it("says hello with the rig's inventory, then sends telemetry every interval with rising seq", async () => {
    const { gw } = await launch({ lastSeq: 41 });

    expect(gw.hellos).toHaveLength(1);
    const hello = gw.hellos[0]!;
    expect(hello.hostname).toBe("rig-test-01");
    expect(hello.gpus.map((g) => ZGpuInventory.parse(g))).toMatchObject([
      { index: 0, model: "NVIDIA GeForce RTX 3060", vendor: "NVIDIA", vramMb: 12288, pciBusId: "0000:01:00.0" },
      { index: 1, model: "NVIDIA GeForce RTX 3090", vendor: "NVIDIA", vramMb: 24576, pciBusId: "0000:02:00.0" },
    ]);

    await waitFor("four telemetry messages", () => gw.received.length >= 4, 8_000);
    const msgs = gw.received.slice(0, 4);
    // The server already stored seq 41 from an earlier life of this rig: continue after it.
    expect(msgs.map((m) => m.seq)).toEqual([42, 43, 44, 45]);
    for (const m of msgs) expect(ZTelemetry.parse(m)).toEqual(m);
    const gaps = msgs.slice(1).map((m, i) => Date.parse(m.at) - Date.parse(msgs[i]!.at));
    for (const gap of gaps) expect(gap).toBeGreaterThan(800), expect(gap).toBeLessThan(1_300);
    // The demo farm is mining when it starts: both GPUs hash ETC at their model's rate.
    const [g0, g1] = msgs[3]!.gpus;
    expect(g0).toMatchObject({ index: 0, mode: "HASHING", coin: "ETC", workloadId: null });
    expect(g1).toMatchObject({ index: 1, mode: "HASHING", coin: "ETC" });
    expect(g0!.hashrateHs).toBeGreaterThan(40e6);
    expect(g1!.hashrateHs).toBeGreaterThan(100e6);
    expect(gw.violations).toEqual([]);
    await waitFor("acks to come back", () => (agent!.lastAckedSeq() ?? 0) >= 45);
  });

  it("keeps telemetry through a gateway outage and delivers it oldest first, none lost or reused", async () => {
    const { gw, running } = await launch();
    await waitFor("two stored messages", () => gw.stored.size >= 2, 5_000);

    await gw.stop();
    const downAt = Date.now();
    await waitFor("agent to notice the outage", () => !running.connected());
    await new Promise((resolve) => setTimeout(resolve, 3_200));
    const receivedBefore = gw.received.length;
    const storedBefore = Math.max(...gw.stored.keys());
    await gw.start();
    const upAt = Date.now();

    await waitFor("agent to reconnect", () => running.connected(), 5_000);
    await waitFor("the backlog and a live message", () => gw.received.some((m) => Date.parse(m.at) > upAt + 500), 5_000);

    const after = gw.received.slice(receivedBefore);
    const sampledWhileDown = after.filter((m) => Date.parse(m.at) > downAt && Date.parse(m.at) < upAt);
    expect(sampledWhileDown.length).toBeGreaterThanOrEqual(3);
    // Resent oldest first, right after the hello.
    expect(after[0]!.seq).toBe(storedBefore + 1);
    expect(after.map((m) => m.seq)).toEqual([...after.map((m) => m.seq)].sort((a, b) => a - b));
    // Every seq from the first to the last is stored, each for exactly one sample.
    const seqs = [...gw.stored.keys()].sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
    for (const m of gw.received) expect(gw.stored.get(m.seq)!.at).toBe(m.at);
    const ats = seqs.map((s) => Date.parse(gw.stored.get(s)!.at));
    expect(ats).toEqual([...ats].sort((a, b) => a - b));
    expect(gw.hellos).toHaveLength(2);
    expect(gw.violations).toEqual([]);
  }, 20_000);

  it("switches a GPU from hashing to AI step by step, and telemetry then shows the workload", async () => {
    const { gw } = await launch();
    const command = switchCommand(gw);

    expect(await gw.sendCommand(command)).toEqual({ ok: true });
    await waitFor("the switch to finish", () => progressOf(gw, command.id).some((p) => p.status !== "RUNNING"));
    const steps = progressOf(gw, command.id).map((p) => ZCommandProgress.parse(p));
    expect(steps.map((p) => [p.gpuIndex, p.status, p.step])).toEqual([
      [0, "RUNNING", "DRAINING_HASHING"],
      [0, "RUNNING", "STARTING_AI"],
      [0, "DONE", "AI"],
    ]);

    const doneAt = Date.parse(steps[2]!.at);
    const next = await waitFor("telemetry after the switch", () => gw.received.find((m) => Date.parse(m.at) > doneAt));
    const [g0, g1] = next.gpus;
    expect(g0).toMatchObject({ mode: "AI", coin: null, workloadId: command.workload!.workloadId, hashrateHs: null });
    expect(g0!.vramUsedMb).toBeGreaterThan(10_000);
    expect(g0!.utilPct).toBeGreaterThan(90);
    // The other GPU was not in the command and keeps hashing.
    expect(g1).toMatchObject({ mode: "HASHING", coin: "ETC" });

    // And back: AI → HASHING with the miner the command names.
    const back = switchCommand(gw, { mode: "HASHING", workload: null, miner: { coin: "RVN", algorithm: "kawpow", miner: "t-rex" } });
    expect(await gw.sendCommand(back)).toEqual({ ok: true });
    await waitFor("the switch back", () => progressOf(gw, back.id).some((p) => p.status === "DONE"));
    expect(progressOf(gw, back.id).map((p) => p.step)).toEqual(["DRAINING_AI", "STARTING_HASHING", "HASHING"]);
    const backAt = Date.parse(progressOf(gw, back.id).at(-1)!.at);
    const hashing = await waitFor("telemetry after the switch back", () => gw.received.find((m) => Date.parse(m.at) > backAt));
    expect(hashing.gpus[0]).toMatchObject({ mode: "HASHING", coin: "RVN", workloadId: null });
    expect(gw.violations).toEqual([]);
  });

  it("runs a redelivered command once", async () => {
    const { gw } = await launch();
    const command = switchCommand(gw, { mode: "IDLE", workload: null });

    expect(await gw.sendCommand(command)).toEqual({ ok: true });
    expect(await gw.sendCommand(command)).toEqual({ ok: true });
    await waitFor("the switch to finish", () => progressOf(gw, command.id).some((p) => p.status === "DONE"));
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(progressOf(gw, command.id).map((p) => [p.status, p.step])).toEqual([
      ["RUNNING", "DRAINING_HASHING"],
      ["DONE", "IDLE"],
    ]);
  });

  it("refuses an invalid command naming the field, and stays connected", async () => {
    const { gw, running } = await launch();
    const command = { ...switchCommand(gw), gpus: [{ index: 0, gpuId: "not-a-uuid" }] };

    const ack = await gw.sendCommand(command);
    expect(ack).toMatchObject({ ok: false, code: "PROTOCOL_INVALID" });
    expect((ack as { message: string }).message).toContain("gpus.0.gpuId");

    const seen = gw.received.length;
    await waitFor("telemetry after the refusal", () => gw.received.length > seen, 3_000);
    expect(running.connected()).toBe(true);
    expect(gw.connections).toBe(1);
    expect(gw.progress).toEqual([]);
    expect(gw.received.at(-1)!.gpus[0]!.mode).toBe("HASHING");
  });

  it("fails a command that expired before it arrived, without touching the GPU", async () => {
    const { gw } = await launch();
    const command = switchCommand(gw, { expiresAt: new Date(Date.now() - 1_000).toISOString() });

    expect(await gw.sendCommand(command)).toEqual({ ok: true });
    await waitFor("the failure", () => progressOf(gw, command.id).length > 0);
    expect(progressOf(gw, command.id).map((p) => [p.status, p.step, p.message])).toEqual([["FAILED", "HASHING", "expired before it started"]]);
    const seen = gw.received.length;
    await waitFor("next telemetry", () => gw.received.length > seen, 3_000);
    expect(gw.received.at(-1)!.gpus[0]!.mode).toBe("HASHING");
  });

  it("starts while the gateway is down, keeps sampling, and numbers that backlog after the stored seq", async () => {
    const { gw, running } = await launch({ lastSeq: 500, gatewayDown: true });
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    expect(running.connected()).toBe(false);

    await gw.start();
    await waitFor("agent to connect", () => running.connected(), 5_000);
    await waitFor("three messages", () => gw.received.length >= 3, 5_000);
    expect(gw.received.slice(0, 3).map((m) => m.seq)).toEqual([501, 502, 503]);
    // The first was sampled at start-up, before the gateway was there.
    expect(Date.parse(gw.received[0]!.at)).toBeLessThan(Date.now() - 1_500);
    expect(gw.violations).toEqual([]);
  });

  it("comes back after the gateway drops the connection on purpose", async () => {
    const { gw, running } = await launch();
    gw.kickAgents();
    await waitFor("a second hello", () => gw.hellos.length === 2, 5_000);
    // The gateway has the hello before the agent has its ack: ready follows a moment later.
    await waitFor("agent to be ready again", () => running.connected(), 2_000);
    expect(gw.hellos).toHaveLength(2);
    const seen = gw.received.length;
    await waitFor("telemetry again", () => gw.received.length > seen, 3_000);
  });

  it("drops a message the gateway calls invalid, and resends one it could not store yet", async () => {
    const { gw, running } = await launch({
      refuseTelemetry: (t, attempt) => (t.seq === 1 ? "PROTOCOL_INVALID" : t.seq === 2 && attempt === 1 ? "UNAVAILABLE" : null),
    });
    await waitFor("seq 2 stored after its retry", () => gw.stored.has(2), 8_000);
    await waitFor("seq 3 stored", () => gw.stored.has(3), 3_000);

    expect(gw.received.filter((m) => m.seq === 1)).toHaveLength(1);
    expect(gw.received.filter((m) => m.seq === 2)).toHaveLength(2);
    expect(gw.stored.has(1)).toBe(false);
    expect(running.connected()).toBe(true);
  }, 15_000);

  it("delivers the progress of a switch that ran while the gateway was away, in order", async () => {
    // The workload takes 400 ms to start: the switch ends while the gateway is down.
    const { gw, running } = await launch({ timings: { workloadStartMs: 400 } });
    const command = switchCommand(gw);
    expect(await gw.sendCommand(command)).toEqual({ ok: true });
    await gw.stop();
    await waitFor("agent to notice the outage", () => !running.connected());
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(progressOf(gw, command.id).some((p) => p.status === "DONE")).toBe(false);
    await gw.start();

    await waitFor("the switch's end", () => progressOf(gw, command.id).some((p) => p.status === "DONE"), 5_000);
    // Possibly sent twice (an ack lost in the outage), never out of order.
    const steps = progressOf(gw, command.id).map((p) => `${p.status} ${p.step}`);
    expect([...new Set(steps)]).toEqual(["RUNNING DRAINING_HASHING", "RUNNING STARTING_AI", "DONE AI"]);
    expect(steps.at(-1)).toBe("DONE AI");
  });
});
