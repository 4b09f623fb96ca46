import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runAgentCli } from "../testing/run-agent-cli";
import { freePort, waitForPort, writeFakeMiner } from "./testing/fake-miner";
import { writeFakeJsonRpcMiner, type FakeJsonRpcMinerConfig } from "./testing/fake-json-rpc-miner";
import { RIG_FIXTURES } from "./testing/rig-fixtures";

/** `rigshift-agent miner-stats` for the Claymore, Excavator, miniZ and nanominer drivers, against fake miners serving real captures. */

const fx = (name: string) => path.join(RIG_FIXTURES, name);

const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill("SIGKILL");
});


const start = async (fake: { executable: string; args: string[] }, port: number) => {
  const proc = spawn(fake.executable, fake.args, { stdio: "ignore" });
  running.push(proc);
  await waitForPort(port);
};

const startRpcMiner = async (config: Omit<FakeJsonRpcMinerConfig, "port">) => {
  const port = await freePort();
  await start(await writeFakeJsonRpcMiner({ ...config, port }), port);
  return port;
};

const cli = (args: string[]) => runAgentCli(args, { LOG_LEVEL: "warn" });

const minerStats = async (miner: string, api: string) => {
  const out = await cli(["miner-stats", "--miner", miner, "--api", api, "--json", "--timeout", "5"]);
  expect(out.stderr).toBe("");
  expect(out.code).toBe(0);
  return JSON.parse(out.stdout) as Record<string, unknown> & { gpus: Record<string, unknown>[] };
};

describe("rigshift-agent miner-stats over JSON-RPC and nanominer HTTP", { timeout: 30_000 }, () => {
  it("claymore: PhoenixMiner miner_getstat1, connection closed after the reply", async () => {
    const port = await startRpcMiner({ methods: { miner_getstat1: fx("claymore-getstat1-2.json") } });
    const stats = await minerStats("claymore", `tcp://127.0.0.1:${port}`);
    expect(stats).toMatchObject({ miner: "claymore", version: "5.1c", algorithm: "ethash", totalHashrateHs: 237936000, accepted: 1, rejected: 0 });
    expect(stats.gpus[0]).toEqual({ minerIndex: 0, pciBus: null, hashrateHs: 29792000, accepted: null, rejected: null, tempC: 50, powerW: null, fanPct: 49 });
  });

  it("claymore: ethminer keeps the connection open; the reply is read when complete", async () => {
    const port = await startRpcMiner({ methods: { miner_getstat1: fx("claymore-getstat1-h3.json") }, keepOpen: true });
    const stats = await minerStats("claymore", `tcp://127.0.0.1:${port}`);
    expect(stats).toMatchObject({ version: "0.13.0.dev0", uptimeS: 317760, totalHashrateHs: 195423000, accepted: 15228, rejected: 3 });
  });

  it("excavator: devices.get + worker.list + algorithm.list on one open connection each", async () => {
    const port = await startRpcMiner({
      methods: {
        "devices.get": fx("excavator-devices-get-1.json"),
        "worker.list": fx("excavator-worker-list-1.json"),
        "algorithm.list": fx("excavator-algorithm-list-1.json"),
      },
      keepOpen: true,
    });
    const stats = await minerStats("excavator", `tcp://127.0.0.1:${port}`);
    expect(stats).toMatchObject({ miner: "excavator", algorithm: "daggerhashimoto", uptimeS: 19, totalHashrateHs: 9198932.692307692, accepted: 0, rejected: 0 });
    // worker.list (documentation example) is another rig: device 2 runs daggerhashimoto, devices 0/1 do not.
    expect(stats.gpus.map((g) => [g.minerIndex, g.pciBus, g.hashrateHs, g.tempC])).toEqual([
      [0, 5, null, 28],
      [1, 7, null, 35],
      [2, null, 8513547.199441634, null],
    ]);
  });

  it("miniz: getstat", async () => {
    const port = await startRpcMiner({ methods: { getstat: fx("miniz-getstat-1.json") } });
    const stats = await minerStats("miniz", `tcp://127.0.0.1:${port}`);
    expect(stats).toMatchObject({ miner: "miniz", totalHashrateHs: 20.3, accepted: 3, rejected: 0 });
    expect(stats.uptimeS).toBeGreaterThan(200_000_000);
    expect(stats.gpus).toEqual([{ minerIndex: 0, pciBus: null, hashrateHs: 20.3, accepted: 3, rejected: 0, tempC: 68, powerW: null, fanPct: 0 }]);
  });

  it("nanominer: GET /stats", async () => {
    const port = await freePort();
    await start(await writeFakeMiner({ port, routes: { "/stats": fx("nanominer-stats-1.json") } }), port);
    expect(await minerStats("nanominer", `http://127.0.0.1:${port}`)).toEqual({
      miner: "nanominer", version: null, algorithm: "Ethash", uptimeS: 898, totalHashrateHs: 4591157, accepted: 3, rejected: 0,
      gpus: [{ minerIndex: 0, pciBus: 1, hashrateHs: 4591157, accepted: 3, rejected: 0, tempC: 46, powerW: null, fanPct: null }],
    });
  });

  it("a JSON-RPC miner that is not running: one line, exit 1", async () => {
    const port = await freePort();
    const out = await cli(["miner-stats", "--miner", "claymore", "--api", `tcp://127.0.0.1:${port}`]);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe(`rigshift-agent miner-stats: claymore: cannot read tcp://127.0.0.1:${port}: connection refused (is the miner running with its API enabled?)\n`);
  });
});
