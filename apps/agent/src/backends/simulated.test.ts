import { describe, expect, it } from "vitest";
import { ZGpuInventory } from "@rigshift/protocol";
import { GPU_MODELS, SIM_ALGORITHMS } from "./models";
import { createSimulatedBackend } from "./simulated";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const at = (ms: number) => new Date(T0 + ms);
const INSTANT = { minerStartMs: 0, minerStopMs: 0, workloadStartMs: 0, workloadCheckpointMs: 0 };

/** A clock the test moves by hand. */
const clock = () => {
  let ms = 0;
  return { now: () => at(ms), set: (to: number) => (ms = to) };
};

describe("simulated GPU backend", () => {
  it("lists every model with its vendor, VRAM and a PCI bus id", async () => {
    const backend = createSimulatedBackend({ models: GPU_MODELS.map((m) => m.name) });
    const inventory = await backend.inventory();
    expect(inventory).toHaveLength(10);
    for (const gpu of inventory) expect(ZGpuInventory.parse(gpu)).toEqual(gpu);
    expect(inventory.find((g) => g.model === "NVIDIA GeForce RTX 3060")).toMatchObject({ vendor: "NVIDIA", vramMb: 12288, pciBusId: "0000:01:00.0" });
    expect(inventory.find((g) => g.model === "AMD Radeon RX 7900 XTX")).toMatchObject({ vendor: "AMD", vramMb: 24560, pciBusId: "0000:0a:00.0" });
    expect(new Set(inventory.map((g) => g.uuid)).size).toBe(10);
  });

  it("gives each model a tuned hashrate and power in the range public benchmarks show", async () => {
    const expected = {
      "NVIDIA GeForce RTX 3060": { etchash: [45e6, 51e6], watts: [100, 130] },
      "NVIDIA GeForce RTX 3090": { etchash: [112e6, 128e6], watts: [260, 320] },
      "NVIDIA GeForce RTX 4090": { etchash: [122e6, 138e6], watts: [270, 330] },
      "AMD Radeon RX 6800": { etchash: [58e6, 66e6], watts: [115, 145] },
    } as const;
    for (const [name, range] of Object.entries(expected)) {
      const backend = createSimulatedBackend({ models: [name], seed: 3 });
      const [r] = await backend.sample(at(0));
      expect(r!.hashrateHs).toBeGreaterThan(range.etchash[0]);
      expect(r!.hashrateHs).toBeLessThan(range.etchash[1]);
      expect(r!.powerW).toBeGreaterThan(range.watts[0]);
      expect(r!.powerW).toBeLessThan(range.watts[1]);
    }
    for (const model of GPU_MODELS) {
      for (const algorithm of SIM_ALGORITHMS) {
        const fig = model.algorithms[algorithm];
        // Tuned mining stays well under the board limit and above idle.
        expect(fig.powerW).toBeGreaterThan(model.idlePowerW * 3);
        expect(fig.powerW).toBeLessThan(model.tdpW);
        expect(fig.vramUsedMb).toBeLessThan(model.vramMb);
      }
      // kawpow is about half of etchash (a bit more on compute-heavy RDNA3); autolykos2 well above it.
      expect(model.algorithms.kawpow.hashrateHs / model.algorithms.etchash.hashrateHs).toBeGreaterThan(0.4);
      expect(model.algorithms.kawpow.hashrateHs / model.algorithms.etchash.hashrateHs).toBeLessThan(0.65);
      expect(model.algorithms.autolykos2.hashrateHs).toBeGreaterThan(model.algorithms.etchash.hashrateHs * 1.5);
    }
  });

  it("reads plausibly on every model: temperature, fan, utilisation and VRAM in range", async () => {
    const backend = createSimulatedBackend({ models: GPU_MODELS.map((m) => m.name), seed: 11 });
    for (const r of await backend.sample(at(0))) {
      expect(r.tempC).toBeGreaterThanOrEqual(45);
      expect(r.tempC).toBeLessThanOrEqual(80);
      expect(r.fanPct).toBeGreaterThanOrEqual(30);
      expect(r.fanPct).toBeLessThanOrEqual(100);
      expect(r.utilPct).toBe(100);
      expect(r.vramUsedMb).toBeGreaterThan(4_000);
    }
  });

  it("ramps a freshly started miner up over the warm-up, reporting nothing while it builds the DAG", async () => {
    const c = clock();
    const backend = createSimulatedBackend({
      models: ["NVIDIA GeForce RTX 3090"],
      initialMode: "IDLE",
      timings: { ...INSTANT, minerApiDelayMs: 3_000, warmupMs: 30_000 },
      now: c.now,
    });
    await backend.startMiner([0], { coin: "ETC", algorithm: "etchash", miner: "lolminer" });
    const readings = [];
    for (const ms of [1_000, 5_000, 15_000, 30_000, 45_000]) {
      c.set(ms);
      readings.push((await backend.sample(at(ms)))[0]!);
    }
    expect(readings[0]!.hashrateHs).toBeNull();
    const rates = readings.slice(1).map((r) => r.hashrateHs!);
    expect(rates[0]).toBeLessThan(30e6);
    expect(rates[1]).toBeGreaterThan(rates[0]!);
    expect(rates[1]).toBeLessThan(70e6);
    expect(rates[2]).toBeGreaterThan(110e6);
    expect(rates[3]).toBeGreaterThan(110e6);
  });

  it("repeats its readings exactly for the same seed, and not for another", async () => {
    const run = async (seed: number) => {
      const backend = createSimulatedBackend({ models: ["NVIDIA GeForce RTX 3060", "AMD Radeon RX 6800 XT"], seed });
      const out = [];
      for (let s = 0; s < 5; s++) out.push(await backend.sample(at(s * 5_000)));
      return { readings: out, inventory: await backend.inventory() };
    };
    expect(await run(42)).toEqual(await run(42));
    expect((await run(43)).readings).not.toEqual((await run(42)).readings);
  });

  it("draws more power and most of the VRAM in AI mode, with no hashrate, and heats up with a lag", async () => {
    const c = clock();
    const backend = createSimulatedBackend({ models: ["NVIDIA GeForce RTX 4090"], timings: { ...INSTANT, thermalLagMs: 20_000 }, now: c.now });
    const hashing = (await backend.sample(at(0)))[0]!;
    await backend.stopMiner([0]);
    await backend.startWorkload([0], { workloadId: "6f1c1f0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f", checkpointGraceS: 30 });
    c.set(1_000);
    const justStarted = (await backend.sample(at(1_000)))[0]!;
    c.set(120_000);
    const settled = (await backend.sample(at(120_000)))[0]!;

    expect(justStarted.hashrateHs).toBeNull();
    expect(justStarted.powerW).toBeGreaterThan(hashing.powerW! + 50);
    expect(justStarted.vramUsedMb).toBeGreaterThan(20_000);
    expect(justStarted.utilPct).toBeGreaterThan(90);
    // The heatsink takes its time: a second in, the core is barely warmer; two minutes in, it is.
    expect(justStarted.tempC! - hashing.tempC!).toBeLessThan(3);
    expect(settled.tempC! - hashing.tempC!).toBeGreaterThan(5);
    expect(settled.fanPct).toBeGreaterThan(hashing.fanPct!);
  });

  it("reports no hashrate (null, not 0) and idle power when nothing runs", async () => {
    const backend = createSimulatedBackend({ models: ["AMD Radeon RX 6800"], initialMode: "IDLE" });
    const [r] = await backend.sample(at(0));
    expect(r!.hashrateHs).toBeNull();
    expect(r!.utilPct).toBe(0);
    expect(r!.powerW).toBeLessThan(15);
    expect(await backend.holders(0)).toEqual([]);
  });

  it("holds a GPU while a miner runs and frees it once the miner has stopped", async () => {
    const backend = createSimulatedBackend({ models: ["NVIDIA GeForce RTX 3070"], timings: { ...INSTANT, minerStopMs: 20 } });
    expect((await backend.holders(0)).map((h) => h.kind)).toEqual(["miner"]);
    const stopping = backend.stopMiner([0]);
    expect((await backend.holders(0)).map((h) => h.kind)).toEqual(["miner"]);
    await stopping;
    expect(await backend.holders(0)).toEqual([]);
  });

  it("refuses unknown models and algorithms it has no figures for", async () => {
    expect(() => createSimulatedBackend({ models: ["NVIDIA GeForce RTX 5090"] })).toThrow(/unknown simulated GPU model "NVIDIA GeForce RTX 5090"/);
    const backend = createSimulatedBackend({ models: ["NVIDIA GeForce RTX 3060"], initialMode: "IDLE", timings: INSTANT });
    await expect(backend.startMiner([0], { coin: "XMR", algorithm: "randomx", miner: "xmrig" })).rejects.toThrow(/randomx/);
    await expect(backend.startMiner([3], { coin: "ETC", algorithm: "etchash", miner: "lolminer" })).rejects.toThrow(/no GPU at index 3/);
    expect(await backend.holders(0)).toEqual([]);
  });
});
