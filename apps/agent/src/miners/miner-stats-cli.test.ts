import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runAgentCli } from "../testing/run-agent-cli";
import { freePort, waitForPort, writeFakeMiner, type FakeMinerConfig } from "./testing/fake-miner";
import { RIG_FIXTURES } from "./testing/rig-fixtures";
import { RIGEL_STAT } from "./testing/rigel-stat-sample";

const fx = (name: string) => path.join(RIG_FIXTURES, name);

const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill("SIGKILL");
});


/** A fake miner serving real captures; resolves once it listens. */
const startFakeMiner = async (config: Omit<FakeMinerConfig, "port">) => {
  const port = await freePort();
  const fake = await writeFakeMiner({ ...config, port });
  const proc = spawn(fake.executable, fake.args, { stdio: "ignore" });
  running.push(proc);
  await waitForPort(port);
  return { port, dir: fake.dir };
};

/** The real CLI, as `node --import tsx apps/agent/src/main.ts …`. */
const cli = (args: string[]) => runAgentCli(args, { LOG_LEVEL: "warn" });

const minerStats = async (miner: string, api: string) => {
  const out = await cli(["miner-stats", "--miner", miner, "--api", api, "--json"]);
  expect(out.stderr).toBe("");
  expect(out.code).toBe(0);
  return JSON.parse(out.stdout) as Record<string, unknown> & { gpus: Record<string, unknown>[] };
};

describe("rigshift-agent miner-stats against fake miners serving real captures", { timeout: 30_000 }, () => {
  it("xmrig: /2/summary + /2/backends", async () => {
    const { port } = await startFakeMiner({ routes: { "/2/summary": fx("xmrig-2-summary-1.json"), "/2/backends": fx("xmrig-2-backends-1.json") } });
    expect(await minerStats("xmrig", `http://127.0.0.1:${port}`)).toEqual({
      miner: "xmrig", version: "6.17.1-dev", algorithm: "rx/0", uptimeS: 106, totalHashrateHs: 1207.19, accepted: 3, rejected: 0,
      gpus: [{ minerIndex: 0, pciBus: 1, hashrateHs: 246.77, accepted: null, rejected: null, tempC: 69, powerW: 161, fanPct: 100 }],
    });
  });

  it("xmrig 2.x serving only /: falls back from /2/summary and /1/summary", async () => {
    const { port } = await startFakeMiner({ routes: { "/": fx("xmrig-1-summary-1.json") } });
    const stats = await minerStats("xmrig", `http://127.0.0.1:${port}`);
    expect(stats.totalHashrateHs).toBe(3522.59);
    expect(stats.gpus[0]).toEqual({ minerIndex: 0, pciBus: null, hashrateHs: 477.26, accepted: null, rejected: null, tempC: 54, powerW: 93, fanPct: 53 });
  });

  it("lolMiner 1.48 at /, and 1.16a at /summary only", async () => {
    const newer = await startFakeMiner({ routes: { "/": fx("lolminer-new-1.json") } });
    const stats = await minerStats("lolminer", `http://127.0.0.1:${newer.port}`);
    expect(stats).toMatchObject({ version: "1.48", totalHashrateHs: 113069260.8 });
    expect(stats.gpus.map((g) => g.pciBus)).toEqual([2, 3, 4, 8]);
    const older = await startFakeMiner({ routes: { "/summary": fx("lolminer-old-2.json") } });
    expect((await minerStats("lolminer", `http://127.0.0.1:${older.port}`)).gpus.map((g) => g.pciBus)).toEqual([3, 16, 19, 22]);
  });

  it("T-Rex /summary", async () => {
    const { port } = await startFakeMiner({ routes: { "/summary": fx("trex-summary-1.json") } });
    expect(await minerStats("trex", `http://127.0.0.1:${port}`)).toEqual({
      miner: "trex", version: "0.19.5", algorithm: "ethash", uptimeS: 76, totalHashrateHs: 91189394, accepted: 2, rejected: 3,
      gpus: [{ minerIndex: 0, pciBus: null, hashrateHs: 91189394, accepted: 2, rejected: 0, tempC: 65, powerW: 237, fanPct: 54 }],
    });
  });

  it("GMiner /stat with blank lines around the body", async () => {
    const { port } = await startFakeMiner({ routes: { "/stat": fx("gminer-stat-h2.json") } });
    const stats = await minerStats("gminer", `http://127.0.0.1:${port}`);
    expect(stats).toMatchObject({ totalHashrateHs: 180, accepted: 12 });
    expect(stats.gpus.map((g) => g.pciBus)).toEqual([1, 2, 3, 4, 6, 9, 10, 11]);
  });

  it("NBMiner /api/v1/status", async () => {
    const { port } = await startFakeMiner({ routes: { "/api/v1/status": fx("nbminer-status-1.json") } });
    const stats = await minerStats("nbminer", `http://127.0.0.1:${port}`);
    expect(stats).toMatchObject({ version: "40.0", algorithm: "ethash", totalHashrateHs: 146567481.51336715, accepted: 7, rejected: 0 });
    expect(stats.gpus.map((g) => [g.pciBus, g.hashrateHs])).toEqual([[1, 61497708.17088159], [48, 85069773.34248555]]);
  });

  it("TeamRedMiner over the cgminer TCP API (NUL-terminated replies)", async () => {
    const { port } = await startFakeMiner({ tcp: { devs: fx("teamredminer-devs-1.json"), pools: fx("teamredminer-pools-1.json") } });
    const stats = await minerStats("teamredminer", `tcp://127.0.0.1:${port}`);
    expect(stats).toMatchObject({ version: "0.3.8", algorithm: "cnv8", totalHashrateHs: 12573, accepted: 371, rejected: 12 });
    expect(stats.gpus).toHaveLength(6);
    expect(stats.gpus[5]).toEqual({ minerIndex: 5, pciBus: null, hashrateHs: 2094, accepted: 60, rejected: 4, tempC: 62, powerW: null, fanPct: 65 });
  });

  it("SRBMiner-MULTI at /", async () => {
    const { port } = await startFakeMiner({ routes: { "/": fx("srbminer-multi-h1.json") } });
    const stats = await minerStats("srbminer", `http://127.0.0.1:${port}`);
    expect(stats).toMatchObject({ version: "0.1.8", algorithm: "kadena", totalHashrateHs: 6290860755.620301, accepted: 2171, rejected: 19 });
    expect(stats.gpus[0]).toMatchObject({ minerIndex: 0, pciBus: 3, hashrateHs: 1052373939.1692787, tempC: 55 });
  });

  it("Rigel /stat", async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), "rigshift-rigel-")), "rigel-stat.json");
    await writeFile(file, JSON.stringify(RIGEL_STAT));
    const { port: p } = await startFakeMiner({ routes: { "/stat": file } });
    expect(await minerStats("rigel", `http://127.0.0.1:${p}`)).toMatchObject({ algorithm: "octopus", totalHashrateHs: 61000000, gpus: [{ pciBus: 10 }] });
  });

  it("a refused connection is one clear line and exit 1", async () => {
    const port = await freePort();
    const out = await cli(["miner-stats", "--miner", "trex", "--api", `http://127.0.0.1:${port}`, "--json"]);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toMatch(/^rigshift-agent miner-stats: trex: cannot read http:\/\/127\.0\.0\.1:\d+\/summary: connection refused/);
  });

  it("a miner answering something other than JSON is exit 1, saying so", async () => {
    const { port } = await startFakeMiner({ routes: { "/stat": path.join(RIG_FIXTURES, "FORMATS.md") } });
    const out = await cli(["miner-stats", "--miner", "gminer", "--api", `http://127.0.0.1:${port}`]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/did not answer JSON: "# Rig telemetry/);
  });

  it("a miner that never answers times out, exit 1", async () => {
    const port = await freePort();
    // Accepts the connection, never replies.
    const server = (await import("node:net")).createServer(() => undefined).listen(port, "127.0.0.1");
    try {
      const out = await cli(["miner-stats", "--miner", "teamredminer", "--api", `tcp://127.0.0.1:${port}`, "--timeout", "0.5"]);
      expect(out.code).toBe(1);
      expect(out.stderr).toMatch(/no answer within 500 ms/);
    } finally {
      server.close();
    }
  });

  it("an unimplemented miner kind names the supported ones, exit 2", async () => {
    const out = await cli(["miner-stats", "--miner", "bzminer", "--api", "http://127.0.0.1:4014"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('no stats driver for miner "bzminer"; supported: xmrig, lolminer, trex, gminer, nbminer, teamredminer, srbminer, rigel');
  });
});
