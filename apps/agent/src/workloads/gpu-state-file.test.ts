import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findAlivePids } from "./alive-pids";
import { findGpuStateFile, GPU_STATE_FILE, writeGpuStateFile, type RecordedRun } from "./gpu-state-file";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("gpu state file", () => {
  it("reads back what was written, and tells live pids from dead ones", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rigshift-gpu-state-"));
    dirs.push(dir);
    const path = join(dir, GPU_STATE_FILE);
    expect(await findGpuStateFile(path)).toBeNull();
    const run: RecordedRun = { kind: "workload", id: "11111111-1111-4111-8111-111111111111", pid: process.pid, phase: "running", since: "2026-03-01T11:00:00.000Z" };
    // 2^22 + 1 is above Linux's pid_max default, so no process has it.
    const dead: RecordedRun = { ...run, kind: "miner", id: "trex", pid: 4_194_305 };
    await writeGpuStateFile(path, new Map([[0, run], [1, null], [2, dead]]));
    const back = await findGpuStateFile(path);
    expect(back).toEqual(new Map([[0, run], [1, null], [2, dead]]));
    expect(findAlivePids(back!)).toEqual(new Set([process.pid]));
  });

  it("treats a garbled file as no record rather than failing the start", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rigshift-gpu-state-"));
    dirs.push(dir);
    const path = join(dir, GPU_STATE_FILE);
    await writeFile(path, '{"v":1,"gpus":{"0":{"kind":"wor');
    expect(await findGpuStateFile(path)).toBeNull();
  });
});
