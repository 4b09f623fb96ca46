import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CommandProgress, MinerAssignment, SwitchCommand, TargetMode } from "@rigshift/protocol";
import { freePort, writeFakeMiner } from "../miners/testing/fake-miner";
import { RIG_FIXTURES } from "../miners/testing/rig-fixtures";
import { loadRigState, type GpuState } from "../rig-state";
import { switchGpu } from "../switching/switch-gpu";
import { findGpuStateFile, GPU_STATE_FILE, writeGpuStateFile, type RecordedRun } from "../workloads/gpu-state-file";
import { catFixture, createFakeToolDir, readFixture, shQuote, type FakeToolDir } from "./fake-tools";
import { createHardwareBackend, type HardwareBackendOptions } from "./hardware-backend";

/**
 * The hardware backend running real child processes: a fake T-Rex (serves its real API capture),
 * a Node script as the AI workload, and "orphans" a crashed agent left, against a fake nvidia-smi
 * replaying the 4-GPU K80 capture with its process lists emptied (or naming the pids we choose).
 */

let tools: FakeToolDir;
let stateDir: string;
let currentXml: string;
let nvidiaSmi: string;
const spawned: number[] = [];

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const waitFor = async <T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 8_000): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** The K80 capture with every GPU's process list emptied, or listing `pid` as python on the GPU at `gpu`. */
const writeNvidiaXml = async (listed?: { gpu: number; pid: number }) => {
  let gpu = -1;
  const xml = (await readFixture("nvidia-smi-xml-2.xml")).replace(/<processes>[\s\S]*?<\/processes>/g, () => {
    gpu += 1;
    const info =
      listed?.gpu === gpu
        ? `<process_info><pid>${listed.pid}</pid><type>C</type><process_name>python</process_name><used_memory>576 MiB</used_memory></process_info>`
        : "";
    return `<processes>${info}</processes>`;
  });
  await writeFile(currentXml, xml);
};

beforeEach(async () => {
  tools = await createFakeToolDir();
  stateDir = await mkdtemp(join(tmpdir(), "rigshift-state-"));
  currentXml = join(tools.dir, "current.xml");
  await writeNvidiaXml();
  nvidiaSmi = await tools.script("nvidia-smi", `cat ${shQuote(currentXml)}`);
});

afterEach(() => {
  for (const pid of spawned.splice(0)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

const backendWith = (extra: Partial<HardwareBackendOptions> = {}) =>
  createHardwareBackend({ nvidiaSmi, rocmSmi: null, stateDir, minerStartCheckMs: 300, minerStopGraceMs: 2_000, minerPolicy: { pollIntervalMs: 60_000 }, ...extra });

const stateFile = async () => (await findGpuStateFile(join(stateDir, GPU_STATE_FILE))) ?? new Map<number, RecordedRun | null>();

/** A T-Rex stand-in that records its argv, then becomes the fake miner (exec keeps the pid), serving its API where told. */
const fakeTrex = async () => {
  const fake = await writeFakeMiner({ port: await freePort(), portFlag: "--api-bind-http", routes: { "/summary": join(RIG_FIXTURES, "trex-summary-1.json") } });
  return tools.recording("t-rex", `exec ${[fake.executable, ...fake.args].map(shQuote).join(" ")} "$@"`);
};

const switchTo = async (backend: ReturnType<typeof backendWith>, gpu: GpuState, mode: TargetMode, miner: MinerAssignment | null) => {
  const progress: Pick<CommandProgress, "status" | "step" | "message">[] = [];
  const command: SwitchCommand = {
    v: 1, id: randomUUID(), type: "switch", mode, expiresAt: new Date(Date.now() + 60_000).toISOString(),
    gpus: [{ index: gpu.index, gpuId: randomUUID() }], miner, workload: null,
  };
  await switchGpu({ backend, command, gpu, now: () => new Date(), running: () => true, report: ({ status, step, message }) => progress.push({ status, step, message }) });
  return progress.at(-1);
};

/** A process a crashed agent left: own process group, exits on SIGTERM (or ignores it). */
const spawnOrphan = (ignoreSigterm = false) => {
  const code = ignoreSigterm ? "process.on('SIGTERM',()=>{});setInterval(()=>{},1000)" : "process.on('SIGTERM',()=>process.exit(0));setInterval(()=>{},1000)";
  const child = spawn(process.execPath, ["-e", code], { detached: true, stdio: "ignore" });
  spawned.push(child.pid!);
  return child.pid!;
};

const MINER: MinerAssignment = { coin: "RVN", algorithm: "kawpow", miner: "trex", poolUrl: "stratum+tcp://rvn.pool.example:3333", wallet: "RWALLET", worker: "rig1" };

describe("hardware backend runs miners", { timeout: 20_000 }, () => {
  it("reports the GPU's hashrate from its miner's API, since nvidia-smi knows nothing of hashes", async () => {
    const backend = backendWith({ minerExecutables: { trex: await fakeTrex() }, minerPolicy: { pollIntervalMs: 100 } });
    const gpu = (await loadRigState(backend)).get(0)!;
    expect((await backend.sample(new Date()))[0]!.hashrateHs).toBeNull();
    expect(await switchTo(backend, gpu, "HASHING", MINER)).toMatchObject({ status: "DONE", step: "HASHING" });
    // trex-summary-1.json: "hashrate": 91189394 (H/s), one GPU.
    await expect.poll(async () => (await backend.sample(new Date()))[0]!.hashrateHs, { timeout: 5_000 }).toBe(91_189_394);
    expect((await backend.sample(new Date()))[1]!.hashrateHs).toBeNull();
    await switchTo(backend, gpu, "IDLE", null);
    expect((await backend.sample(new Date()))[0]!.hashrateHs).toBeNull();
  });

  it("switches GPU 0 to a fake T-Rex for exactly that GPU, records it, and stops it on the way back", async () => {
    const backend = backendWith({ minerExecutables: { trex: await fakeTrex() } });
    const gpu = (await loadRigState(backend)).get(0)!;
    expect(gpu.mode).toBe("IDLE");

    expect(await switchTo(backend, gpu, "HASHING", MINER)).toEqual({ status: "DONE", step: "HASHING", message: null });
    const [argv] = await tools.argvOf("t-rex");
    expect(argv!.slice(0, 10)).toEqual(["-a", "kawpow", "-o", "stratum+tcp://rvn.pool.example:3333", "-u", "RWALLET", "-w", "rig1", "-p", "x"]);
    expect(argv![argv!.indexOf("-d") + 1]).toBe("0");
    expect(argv![argv!.indexOf("--api-bind-http") + 1]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await backend.holders(0)).toEqual([{ kind: "miner", miner: MINER }]);
    expect(await backend.holders(1)).toEqual([]);
    const pid = (await stateFile()).get(0)?.pid;
    expect((await stateFile()).get(0)).toMatchObject({ kind: "miner", id: "trex", phase: "running" });
    expect(isAlive(pid!)).toBe(true);

    // The GPU runs our miner: the backend itself refuses a second thing there.
    await expect(backend.startWorkload([0], { workloadId: randomUUID(), checkpointGraceS: 1, command: process.execPath })).rejects.toThrow("GPU 0 already runs miner trex");

    expect(await switchTo(backend, gpu, "IDLE", null)).toEqual({ status: "DONE", step: "IDLE", message: null });
    expect(isAlive(pid!)).toBe(false);
    expect(await backend.holders(0)).toEqual([]);
    expect((await stateFile()).get(0)).toBeNull();
  });

  it("puts the device flag on the assigned GPU only: rig GPU 2 is -d 2", async () => {
    const backend = backendWith({ minerExecutables: { trex: await fakeTrex() } });
    await backend.inventory();
    await backend.startMiner([2], MINER);
    const [argv] = await tools.argvOf("t-rex");
    expect(argv![argv!.indexOf("-d") + 1]).toBe("2");
    await backend.stopMiner([2]);
    expect(await backend.holders(2)).toEqual([]);
  });

  it("fails the switch naming what the miner assignment lacks (no pool, no wallet)", async () => {
    const backend = backendWith();
    const gpu = (await loadRigState(backend)).get(0)!;
    const noPool: MinerAssignment = { coin: "ETC", algorithm: "etchash", miner: "lolminer" };
    expect(await switchTo(backend, gpu, "HASHING", noPool)).toEqual({
      status: "FAILED",
      step: "IDLE",
      message: "starting failed: miner lolminer has no poolUrl and no wallet: set poolUrl and wallet in the miner profile",
    });
    expect(await backend.holders(0)).toEqual([]);
  });

  it("fails the switch when the miner binary is missing, and leaves no record", async () => {
    const backend = backendWith({ minerExecutables: { trex: join(tools.dir, "no-such-t-rex") } });
    const gpu = (await loadRigState(backend)).get(0)!;
    const last = await switchTo(backend, gpu, "HASHING", MINER);
    expect(last).toMatchObject({ status: "FAILED", step: "IDLE" });
    expect(last?.message).toMatch(/starting failed: .*no-such-t-rex.*ENOENT/);
    expect((await stateFile()).get(0)).toBeNull();
  });
});

describe("hardware backend runs AI workloads", { timeout: 20_000 }, () => {
  it("starts a Node script with CUDA_VISIBLE_DEVICES set to its GPU; stop sends SIGTERM, it checkpoints", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rigshift-workload-"));
    const script = join(dir, "train.mjs");
    const out = join(dir, "env.json");
    await writeFile(
      script,
      `import { writeFileSync } from "node:fs";
writeFileSync(process.argv[2], JSON.stringify({ cuda: process.env.CUDA_VISIBLE_DEVICES, order: process.env.CUDA_DEVICE_ORDER, lr: process.env.LR }));
process.on("SIGTERM", () => { writeFileSync(process.argv[2] + ".ckpt", "step 42"); process.exit(0); });
setInterval(() => {}, 1000);`,
    );
    const backend = backendWith({ baseEnv: { PATH: process.env.PATH, CUDA_VISIBLE_DEVICES: "0,1,2,3" } });
    await backend.inventory();
    const workloadId = randomUUID();
    await backend.startWorkload([1], { workloadId, checkpointGraceS: 5, command: process.execPath, args: [script, out], env: { LR: "0.001" } });
    const seen = await waitFor("the workload's env", () => readFile(out, "utf8").then(JSON.parse, () => undefined));
    expect(seen).toEqual({ cuda: "1", order: "PCI_BUS_ID", lr: "0.001" });
    expect(await backend.holders(1)).toEqual([{ kind: "workload", workloadId }]);
    expect((await stateFile()).get(1)).toMatchObject({ kind: "workload", id: workloadId, phase: "running" });

    const ended = await backend.stopWorkload([1], 5);
    expect(await readFile(`${out}.ckpt`, "utf8")).toBe("step 42");
    // What the operator reads in the command's history: a clean exit after the checkpoint signal.
    expect(ended).toMatch(new RegExp(`^workload ${workloadId} exited 0 after [0-9.]+ s \\(stopped [0-9.]+ s after the checkpoint signal\\)`));
    expect(await backend.holders(1)).toEqual([]);
    expect((await stateFile()).get(1)).toBeNull();
  });

  it("numbers an AMD GPU after the NVIDIA ones from 0 for HIP: rig GPU 3 is HIP device 1", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rigshift-workload-"));
    const out = join(dir, "env.json");
    await writeFile(join(dir, "w.mjs"), `import { writeFileSync } from "node:fs"; writeFileSync(process.argv[2], JSON.stringify({ hip: process.env.HIP_VISIBLE_DEVICES, cuda: process.env.CUDA_VISIBLE_DEVICES ?? null }));`);
    const mixed = createHardwareBackend({
      nvidiaSmi: await tools.script("nvidia-smi-1", catFixture("nvidia-smi-xml-1.xml")),
      rocmSmi: await tools.script("rocm-smi", catFixture("rocm-smi-json-4.json")),
      stateDir,
    });
    expect((await mixed.inventory()).map((g) => `${g.index}:${g.vendor}`)).toEqual(["0:NVIDIA", "1:NVIDIA", "2:AMD", "3:AMD"]);
    await mixed.startWorkload([3], { workloadId: randomUUID(), checkpointGraceS: 1, command: process.execPath, args: [join(dir, "w.mjs"), out] });
    expect(await waitFor("the workload's env", () => readFile(out, "utf8").then(JSON.parse, () => undefined))).toEqual({ hip: "1", cuda: null });
    await expect(mixed.startMiner([1, 2], MINER)).rejects.toThrow("GPUs 1,2 mix NVIDIA and AMD");
  });

  it("refuses a workload with neither an image nor a command", async () => {
    const backend = backendWith();
    await backend.inventory();
    await expect(backend.startWorkload([0], { workloadId: "7f1a3c2e-0000-4000-8000-000000000001", checkpointGraceS: 1 })).rejects.toThrow(
      "workload 7f1a3c2e-0000-4000-8000-000000000001 has neither an image nor a command to run",
    );
  });
});

describe("hardware backend reconciles what a crashed agent left", { timeout: 20_000 }, () => {
  const recordOn = (index: number, run: Omit<RecordedRun, "since">) =>
    writeGpuStateFile(join(stateDir, GPU_STATE_FILE), new Map([[index, { ...run, since: new Date().toISOString() }]]));

  it("adopts a live recorded workload on GPU 1 (listed once, not twice) and refuses a second run there", async () => {
    const pid = spawnOrphan();
    const workloadId = randomUUID();
    await recordOn(1, { kind: "workload", id: workloadId, pid, phase: "running" });
    await writeNvidiaXml({ gpu: 1, pid }); // the driver lists the orphan too: one holder, not two

    const backend = backendWith();
    const state = await loadRigState(backend);
    expect([...state.values()].map((g) => g.mode)).toEqual(["IDLE", "AI", "IDLE", "IDLE"]);
    expect(state.get(1)?.workload?.workloadId).toBe(workloadId);
    expect(isAlive(pid)).toBe(true);
    expect(await backend.holders(1)).toEqual([{ kind: "workload", workloadId }]);
    await expect(backend.startMiner([1], MINER)).rejects.toThrow(`GPU 1 already runs workload ${workloadId} (pid ${pid}, left by the previous agent)`);

    // Draining it is the usual SIGTERM to its process group.
    await backend.stopWorkload([1], 2);
    expect(isAlive(pid)).toBe(false);
    await writeNvidiaXml();
    expect(await backend.holders(1)).toEqual([]);
    expect((await stateFile()).get(1)).toBeNull();
  });

  it("finishes a drain the crashed agent had begun: the recorded 'stopping' workload is stopped, GPU 1 is IDLE", async () => {
    const pid = spawnOrphan();
    await recordOn(1, { kind: "workload", id: randomUUID(), pid, phase: "stopping" });
    const backend = backendWith();
    const state = await loadRigState(backend);
    expect(state.get(1)?.mode).toBe("IDLE");
    expect(isAlive(pid)).toBe(false);
    expect(await backend.holders(1)).toEqual([]);
    expect((await stateFile()).get(1)).toBeNull();
  });

  it("kills an orphan that ignores SIGTERM once its grace is over", async () => {
    const pid = spawnOrphan(true);
    await recordOn(1, { kind: "miner", id: "trex", pid, phase: "stopping" });
    const backend = backendWith({ orphanGraceS: { miner: 0.3, workload: 0.3 } });
    expect((await loadRigState(backend)).get(1)?.mode).toBe("IDLE");
    expect(isAlive(pid)).toBe(false);
  });

  it("forgets a record whose pid is dead, and never counts a stranger's process as ours", async () => {
    const stranger = spawnOrphan();
    await recordOn(1, { kind: "workload", id: randomUUID(), pid: 999_999, phase: "running" });
    await writeNvidiaXml({ gpu: 1, pid: stranger });
    const backend = backendWith();
    expect((await loadRigState(backend)).get(1)?.mode).toBe("IDLE");
    expect(isAlive(stranger)).toBe(true);
    expect(await backend.holders(1)).toEqual([{ kind: "process", pid: stranger, name: "python" }]);
    expect((await stateFile()).get(1)).toBeNull();
  });
});
