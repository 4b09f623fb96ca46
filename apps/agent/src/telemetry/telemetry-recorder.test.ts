import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { Telemetry } from "@rigshift/protocol";
import { createSimulatedBackend } from "../backends/simulated";
import { loadRigState } from "../rig-state";
import { createMemorySpool } from "../spool/memory-spool";
import { createTelemetryRecorder, toGpuSample } from "./telemetry-recorder";

const log = pino({ level: "silent" });
const NOW = new Date("2026-03-01T12:00:00Z");

const setup = async () => {
  const backend = createSimulatedBackend({ models: ["NVIDIA GeForce RTX 3060", "AMD Radeon RX 6800"] });
  const gpus = await loadRigState(backend);
  const spool = createMemorySpool<Telemetry>({ capacity: 100 });
  const recorder = createTelemetryRecorder({ backend, gpus, spool, now: () => NOW, log, unnumberedCapacity: 10 });
  const seqs = async () => (await spool.oldest(100, new Set())).map((e) => e.item.seq);
  return { recorder, spool, seqs, gpus };
};

describe("telemetry recorder", () => {
  it("numbers samples taken before the first hello after the server's last stored seq", async () => {
    const { recorder, seqs } = await setup();
    await recorder.record();
    await recorder.record();
    expect(await seqs()).toEqual([]);
    await recorder.onHello(99);
    await recorder.record();
    expect(await seqs()).toEqual([100, 101, 102]);
  });

  it("never goes back: a later hello with a lower lastSeq keeps the counter", async () => {
    const { recorder, seqs } = await setup();
    await recorder.onHello(null);
    await recorder.record();
    await recorder.record();
    await recorder.onHello(0);
    await recorder.record();
    await recorder.onHello(10);
    await recorder.record();
    expect(await seqs()).toEqual([0, 1, 2, 11]);
  });

  it("puts one row per GPU with the agent's mode and the coin being hashed", async () => {
    const { recorder, spool } = await setup();
    await recorder.onHello(null);
    await recorder.record();
    const [entry] = await spool.oldest(1, new Set());
    expect(entry!.item).toMatchObject({ v: 1, seq: 0, at: NOW.toISOString() });
    expect(entry!.item.gpus.map((g) => [g.index, g.mode, g.coin, g.workloadId])).toEqual([
      [0, "HASHING", "ETC", null],
      [1, "HASHING", "ETC", null],
    ]);
  });

  it("passes a reading the tool did not give as null and a real zero as zero", () => {
    const gpu = { index: 0, mode: "IDLE" as const, miner: null, workload: null };
    const sample = toGpuSample(gpu, { index: 0, hashrateHs: null, tempC: 0, powerW: null, fanPct: 0, utilPct: null, vramUsedMb: 0 });
    expect(sample).toMatchObject({ hashrateHs: null, tempC: 0, powerW: null, fanPct: 0, utilPct: null, vramUsedMb: 0 });
    expect(toGpuSample(gpu, undefined)).toMatchObject({ hashrateHs: null, tempC: null, powerW: null, fanPct: null, utilPct: null, vramUsedMb: null });
  });
});
