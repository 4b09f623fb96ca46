import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { CommandProgress, SwitchCommand } from "@rigshift/protocol";
import { switchGpu } from "../switching/switch-gpu";
import { catFixture, createFakeToolDir, readFixture, shQuote, type FakeToolDir } from "./fake-tools";
import { createHardwareBackend } from "./hardware-backend";

let tools: FakeToolDir;
beforeEach(async () => {
  tools = await createFakeToolDir();
});

/** nvidia-smi that answers -q -x with a fixture and a tuning call like the real tool does. */
const fakeNvidiaSmi = (xmlFixture: string) =>
  tools.recording(
    "nvidia-smi",
    `case "$1 $2" in
  "-q -x") ${catFixture(xmlFixture)} ;;
  *) case "$3" in
       -pl) echo "Power limit for GPU 00000000:01:00.0 was set to $4 W from 180.00 W."; echo "All done." ;;
       -lgc) echo "GPU clocks set to \\"(gpcclk $4)\\" for GPU 00000000:01:00.0"; echo "All done." ;;
       *) echo "All done." ;;
     esac ;;
esac`,
  );

const fakeRocmSmi = (jsonFixture: string) =>
  tools.recording("rocm-smi", `case "$1" in -d) echo "GPU[$2] : Successfully set power to: $4W" ;; *) ${catFixture(jsonFixture)} ;; esac`);

describe("hardware backend over nvidia-smi and rocm-smi", () => {
  it("lists NVIDIA then AMD GPUs with unique indices, in the protocol's shape", async () => {
    const backend = createHardwareBackend({ nvidiaSmi: await fakeNvidiaSmi("nvidia-smi-xml-1.xml"), rocmSmi: await fakeRocmSmi("rocm-smi-json-4.json") });
    expect(await backend.inventory()).toEqual([
      { index: 0, uuid: "GPU-e511a7b2-f9d5-ba47-9b98-853732ca6c1b", pciBusId: "0000:01:00.0", vendor: "NVIDIA", model: "GeForce GTX 1070", vramMb: 8112 },
      { index: 1, uuid: "GPU-28daffaf-8abe-aaf8-c298-4bd13aecb5e6", pciBusId: "0000:03:00.0", vendor: "NVIDIA", model: "GeForce GTX 1070", vramMb: 8114 },
      { index: 2, uuid: "7c96610172fc1a8d", pciBusId: "0000:03:00.0", vendor: "AMD", model: "Vega 20", vramMb: 16368 },
      { index: 3, uuid: "249220e172fc1a88", pciBusId: "0000:06:00.0", vendor: "AMD", model: "Vega 20", vramMb: 16368 },
    ]);
    expect(await backend.sample(new Date())).toEqual([
      { index: 0, hashrateHs: null, tempC: 60, powerW: 119.47, fanPct: 41, utilPct: 100, vramUsedMb: 2028 },
      { index: 1, hashrateHs: null, tempC: 59, powerW: 139.3, fanPct: 39, utilPct: 98, vramUsedMb: 4057 },
      { index: 2, hashrateHs: null, tempC: 31, powerW: 34, fanPct: 20, utilPct: 0, vramUsedMb: 310 },
      { index: 3, hashrateHs: null, tempC: 25, powerW: 24, fanPct: 20, utilPct: 0, vramUsedMb: 18 },
    ]);
  });

  it("says which processes hold a GPU: compute ones, not the desktop's Xorg", async () => {
    const backend = createHardwareBackend({ nvidiaSmi: await fakeNvidiaSmi("nvidia-smi-xml-1.xml"), rocmSmi: null });
    expect(await backend.holders(0)).toEqual([{ kind: "process", pid: 3093, name: "./ethminer" }]);
    expect(await backend.holders(1)).toEqual([{ kind: "process", pid: 3093, name: "./ethminer" }]);
  });

  it("calls a GPU busy when VRAM is used but no process is listed (container, RTX 3080 sample)", async () => {
    const backend = createHardwareBackend({ nvidiaSmi: await fakeNvidiaSmi("nvidia-smi-xml-3.xml"), rocmSmi: null });
    expect(await backend.holders(0)).toEqual([{ kind: "process", pid: 0, name: "unlisted process using 9184 MiB of VRAM (another container?)" }]);
    const idle = createHardwareBackend({ nvidiaSmi: await fakeNvidiaSmi("nvidia-smi-xml-4.xml"), rocmSmi: null });
    expect(await idle.holders(0)).toEqual([]);
  });

  it("counts a KFD process as holding every AMD GPU (rocm-smi does not say which)", async () => {
    const backend = createHardwareBackend({ nvidiaSmi: null, rocmSmi: await fakeRocmSmi("rocm-smi-json-h1.json") });
    await backend.inventory();
    expect(await backend.holders(5)).toEqual([{ kind: "process", pid: 104225, name: "mlir-cpu-runner" }]);
  });

  it("keeps indices when a GPU falls off the bus, and reports nulls for the lost one", async () => {
    const fullXml = await readFixture("nvidia-smi-xml-2.xml");
    // The same rig after the first K80 dropped out: nvidia-smi renumbers the other three.
    const lostFirst = fullXml.replace(/<gpu id="00001580:00:00.0">[\s\S]*?<\/gpu>/, "");
    const current = join(tools.dir, "current.xml");
    await writeFile(current, fullXml);
    const nvidiaSmi = await tools.script("nvidia-smi", `cat ${shQuote(current)}`);
    const backend = createHardwareBackend({ nvidiaSmi, rocmSmi: null });
    expect((await backend.inventory()).map((g) => g.pciBusId)).toEqual(["1580:00:00.0", "2df7:00:00.0", "4968:00:00.0", "f8d6:00:00.0"]);

    await writeFile(current, lostFirst);
    expect((await backend.sample(new Date())).map((r) => [r.index, r.tempC])).toEqual([[0, null], [1, 69], [2, 28], [3, 26]]);
    await expect(backend.holders(0)).rejects.toThrow("GPU 0 (1580:00:00.0) is no longer listed by nvidia-smi");
    expect(await backend.holders(1)).toEqual([{ kind: "process", pid: 58642, name: "python" }]);
  });

  it("marks readings missing when the tool hangs, and refuses to call the GPU free", async () => {
    const hang = join(tools.dir, "hang");
    const nvidiaSmi = await tools.script("nvidia-smi", `if [ -e ${shQuote(hang)} ]; then exec sleep 30; fi\n${catFixture("nvidia-smi-xml-h1.xml")}`);
    const backend = createHardwareBackend({ nvidiaSmi, rocmSmi: null, timeoutMs: 500 });
    expect(await backend.inventory()).toHaveLength(2);
    await writeFile(hang, "");
    const started = Date.now();
    expect(await backend.sample(new Date())).toEqual([
      { index: 0, hashrateHs: null, tempC: null, powerW: null, fanPct: null, utilPct: null, vramUsedMb: null },
      { index: 1, hashrateHs: null, tempC: null, powerW: null, fanPct: null, utilPct: null, vramUsedMb: null },
    ]);
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(backend.holders(0)).rejects.toThrow(`GPU 0: readings missing: ${nvidiaSmi} timed out after 500 ms`);
  });

  it("refuses to start without any readings at all", async () => {
    const nvidiaSmi = await tools.script("nvidia-smi", "echo 'No devices were found'; exit 6");
    await expect(createHardwareBackend({ nvidiaSmi, rocmSmi: null }).inventory()).rejects.toThrow(/no GPU readings: nvidia-smi: .* exited with code 6: No devices were found/);
  });
});

describe("power limit and clocks", () => {
  it("sets an NVIDIA power limit by UUID and returns the tool's words", async () => {
    const backend = createHardwareBackend({ nvidiaSmi: await fakeNvidiaSmi("nvidia-smi-xml-1.xml"), rocmSmi: null });
    await backend.inventory();
    expect(await backend.setPowerLimit(1, 150)).toEqual({
      ok: true,
      message: "Power limit for GPU 00000000:01:00.0 was set to 150 W from 180.00 W.\nAll done.",
    });
    expect((await tools.argvOf("nvidia-smi")).filter((a) => a[0] === "-i")).toEqual([["-i", "GPU-28daffaf-8abe-aaf8-c298-4bd13aecb5e6", "-pl", "150"]]);
  });

  it("sets an AMD power limit on rocm-smi's card number, not the rig index", async () => {
    const backend = createHardwareBackend({ nvidiaSmi: await fakeNvidiaSmi("nvidia-smi-xml-1.xml"), rocmSmi: await fakeRocmSmi("rocm-smi-json-4.json") });
    await backend.inventory();
    // Rig index 2 is the first AMD GPU, rocm-smi's card1.
    expect(await backend.setPowerLimit(2, 180)).toEqual({ ok: true, message: "GPU[1] : Successfully set power to: 180W" });
    expect((await tools.argvOf("rocm-smi")).filter((a) => a[0] === "-d")).toEqual([["-d", "1", "--setpoweroverdrive", "180"]]);
  });

  it("locks core clocks and resets memory clocks, one call each", async () => {
    const backend = createHardwareBackend({ nvidiaSmi: await fakeNvidiaSmi("nvidia-smi-xml-1.xml"), rocmSmi: null });
    await backend.inventory();
    const result = await backend.setClocks(0, { core: { minMhz: 1200, maxMhz: 1500 }, mem: "reset" });
    expect(result).toEqual({ ok: true, message: 'GPU clocks set to "(gpcclk 1200,1500)" for GPU 00000000:01:00.0\nAll done.\nAll done.' });
    const uuid = "GPU-e511a7b2-f9d5-ba47-9b98-853732ca6c1b";
    expect((await tools.argvOf("nvidia-smi")).filter((a) => a[0] === "-i")).toEqual([
      ["-i", uuid, "-lgc", "1200,1500"],
      ["-i", uuid, "-rmc"],
    ]);
  });

  it("reports the tool's refusal, and rejects nonsense before running anything", async () => {
    const nvidiaSmi = await tools.recording(
      "nvidia-smi",
      `case "$1" in -q) ${catFixture("nvidia-smi-xml-h1.xml")} ;; *) echo "Changing power management limit is not supported for GPU: 00000000:02:00.0."; echo "Treating as warning and moving on."; exit 3 ;; esac`,
    );
    const backend = createHardwareBackend({ nvidiaSmi, rocmSmi: null });
    await backend.inventory();
    expect(await backend.setPowerLimit(0, 200)).toEqual({
      ok: false,
      message: `${nvidiaSmi} exited with code 3: Changing power management limit is not supported for GPU: 00000000:02:00.0.\nTreating as warning and moving on.`,
    });
    expect(await backend.setPowerLimit(0, -5)).toEqual({ ok: false, message: "power limit must be between 0 and 2000 W, got -5" });
    expect(await backend.setClocks(0, { core: { minMhz: 1500, maxMhz: 1200 } })).toMatchObject({ ok: false });
    expect(await backend.setPowerLimit(7, 200)).toEqual({ ok: false, message: "no GPU at index 7" });
    expect((await tools.argvOf("nvidia-smi")).filter((a) => a[0] === "-i")).toHaveLength(1);
  });
});

describe("switching on the hardware backend", () => {
  it("fails the switch with a clear message when the miner profile has no pool or wallet", async () => {
    const backend = createHardwareBackend({ nvidiaSmi: await fakeNvidiaSmi("nvidia-smi-xml-4.xml"), rocmSmi: null });
    await backend.inventory();
    const progress: Pick<CommandProgress, "status" | "step" | "message">[] = [];
    const command: SwitchCommand = {
      v: 1, id: randomUUID(), type: "switch", mode: "HASHING", expiresAt: new Date(Date.now() + 60_000).toISOString(),
      gpus: [{ index: 0, gpuId: randomUUID() }], miner: { coin: "ETC", algorithm: "etchash", miner: "lolminer" }, workload: null,
    };
    await switchGpu({
      backend, command, now: () => new Date(), running: () => true,
      gpu: { index: 0, mode: "IDLE", miner: null, workload: null },
      report: ({ status, step, message }) => progress.push({ status, step, message }),
    });
    expect(progress.at(-1)).toEqual({ status: "FAILED", step: "IDLE", message: "starting failed: miner lolminer has no poolUrl and no wallet: set poolUrl and wallet in the miner profile" });
  });
});
