import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { backoffMs, superviseMiner, type MinerEvent, type MinerSupervisor } from "./supervise-miner";
import { freePort, writeFakeMiner, type FakeMinerConfig } from "./testing/fake-miner";
import { RIG_FIXTURES } from "./testing/rig-fixtures";
import { fetchTrexStats } from "./trex";

const quietLog = { info: () => undefined, warn: () => undefined };
const FAST = { pollIntervalMs: 100, statsTimeoutMs: 500, backoffInitialMs: 200, backoffMaxMs: 1_000, collapsePolls: 2, minSamples: 2, restartGraceMs: 1_000 };

const supervisors: MinerSupervisor[] = [];
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stop(200)));
});

const waitFor = async <T>(what: string, check: () => T | undefined, timeoutMs = 8_000): Promise<T> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = check();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A fake T-Rex serving the real 0.19.5 capture, supervised with fast timings. */
const superviseFakeTrex = async (config: Omit<FakeMinerConfig, "port" | "routes">) => {
  const port = await freePort();
  const fake = await writeFakeMiner({ ...config, port, routes: { "/summary": path.join(RIG_FIXTURES, "trex-summary-1.json") } });
  const events: MinerEvent[] = [];
  const apiUrl = new URL(`http://127.0.0.1:${port}`);
  const supervisor = superviseMiner({
    command: { executable: fake.executable, args: fake.args, env: {} },
    statsDriver: fetchTrexStats,
    apiUrl,
    log: quietLog,
    onEvent: (e) => events.push(e),
    policy: FAST,
  });
  supervisors.push(supervisor);
  return { supervisor, events, apiUrl };
};

describe("superviseMiner with a real child process", { timeout: 20_000 }, () => {
  it("restarts a miner that crashes, after the backoff, and reports both", async () => {
    const marker = path.join(await mkdtemp(path.join(tmpdir(), "rigshift-crash-")), "crashed");
    const { supervisor, events } = await superviseFakeTrex({ crashAfterMs: 300, crashOnceFile: marker });
    const firstPid = supervisor.pid();
    expect(firstPid).not.toBeNull();

    const restarted = await waitFor("restart", () => events.find((e) => e.type === "restarted"));
    const crashed = events.find((e) => e.type === "crashed");
    expect(crashed).toMatchObject({ type: "crashed", pid: firstPid, exitCode: 3, signal: null, restartInMs: 200 });
    expect(crashed?.type === "crashed" && crashed.lastLines).toContain("CUDA error: an illegal memory access was encountered");
    expect(restarted).toMatchObject({ type: "restarted", reason: "crash", restarts: 1 });
    expect(supervisor.pid()).not.toBe(firstPid);

    await supervisor.stop(1_000);
    expect(events.at(-1)).toMatchObject({ type: "stopped", signal: "SIGTERM", killed: false });
  });

  it("restarts a miner whose hashrate collapses below half its running average", async () => {
    // 91189394 H/s for the first 1.2 s, then 1 % of it.
    const { supervisor, events } = await superviseFakeTrex({ collapseAfterMs: 1_200 });
    const firstPid = supervisor.pid();
    const collapse = await waitFor("collapse", () => events.find((e) => e.type === "hashrate-collapse"));
    expect(collapse).toMatchObject({ type: "hashrate-collapse", pid: firstPid, totalHashrateHs: 911894, averageHs: 91189394, polls: 2 });
    const restarted = await waitFor("restart", () => events.find((e) => e.type === "restarted"));
    expect(restarted).toMatchObject({ reason: "hashrate-collapse", restarts: 1 });
    expect(isAlive(firstPid!)).toBe(false);
    expect(events.some((e) => e.type === "crashed")).toBe(false);
  });

  it("stop() kills a miner that ignores SIGTERM once the grace period is over", async () => {
    const { supervisor, events, apiUrl } = await superviseFakeTrex({ ignoreSigterm: true });
    const pid = supervisor.pid()!;
    let apiUp = false;
    void (async () => {
      while (!apiUp) apiUp = await fetchTrexStats(apiUrl, { timeoutMs: 500 }).then(() => true, async () => (await new Promise((r) => setTimeout(r, 50)), false));
    })();
    // Its API answering means the script has run past installing its SIGTERM handler.
    await waitFor("API up", () => (events.length === 0 && apiUp ? true : undefined));
    const started = Date.now();
    await supervisor.stop(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(events.at(-1)).toEqual({ type: "stopped", pid, exitCode: null, signal: "SIGKILL", killed: true });
    expect(isAlive(pid)).toBe(false);
  });

  it("a missing executable is a crash retried with backoff, and stop() during the backoff ends it", async () => {
    const events: MinerEvent[] = [];
    const supervisor = superviseMiner({
      command: { executable: "/nonexistent/t-rex", args: [], env: {} },
      statsDriver: fetchTrexStats,
      apiUrl: new URL("http://127.0.0.1:1"),
      log: quietLog,
      onEvent: (e) => events.push(e),
      policy: { ...FAST, backoffInitialMs: 5_000, backoffMaxMs: 60_000 },
    });
    await waitFor("crash", () => events.find((e) => e.type === "crashed"));
    expect(events[0]).toMatchObject({ type: "crashed", restartInMs: 5_000 });
    await supervisor.stop(100);
    expect(events.map((e) => e.type)).toEqual(["crashed", "stopped"]);
  });
});

describe("backoffMs", () => {
  it("doubles per crash in a row and stays at the cap", () => {
    const policy = { backoffInitialMs: 1_000, backoffMaxMs: 8_000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, policy))).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });
});
