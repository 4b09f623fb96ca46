import { describe, expect, it } from "vitest";
import { buildMinerCommand, type MinerProfile } from "./build-miner-command";

const base = {
  algorithm: "kawpow",
  poolUrl: "stratum+tcp://rvn.pool.example:3333",
  wallet: "RWALLET",
  worker: "rig7",
  extraArgs: [] as string[],
  gpuIndices: [1, 3],
  apiPort: 4067,
};
const build = (p: Partial<MinerProfile> & Pick<MinerProfile, "miner">) => buildMinerCommand({ ...base, ...p });
const BUS_ORDER = { CUDA_DEVICE_ORDER: "PCI_BUS_ID" };

describe("buildMinerCommand", () => {
  it("xmrig on NVIDIA: CUDA plugin for GPUs 1 and 3 only, CPU off, API on loopback", () => {
    expect(build({ miner: "xmrig", algorithm: "rx/0", poolUrl: "pool.supportxmr.com:3333" })).toEqual({
      executable: "xmrig",
      args: ["--algo", "rx/0", "--url", "pool.supportxmr.com:3333", "--user", "RWALLET", "--pass", "rig7", "--rig-id", "rig7",
        "--no-cpu", "--cuda", "--cuda-devices=1,3", "--http-host", "127.0.0.1", "--http-port", "4067"],
      env: BUS_ORDER,
    });
  });

  it("xmrig on AMD uses the OpenCL backend and its device list", () => {
    const { args, env } = build({ miner: "xmrig", gpuVendor: "amd" });
    expect(args).toContain("--opencl");
    expect(args).toContain("--opencl-devices=1,3");
    expect(args).not.toContain("--cuda");
    expect(env).toEqual({});
  });

  it("lolMiner: --devices, wallet.worker, API port and host", () => {
    expect(build({ miner: "lolminer", extraArgs: ["--ethstratum", "ETHPROXY"] })).toEqual({
      executable: "lolMiner",
      args: ["--algo", "kawpow", "--pool", "stratum+tcp://rvn.pool.example:3333", "--user", "RWALLET.rig7", "--devices", "1,3",
        "--apihost", "127.0.0.1", "--apiport", "4067", "--ethstratum", "ETHPROXY"],
      env: BUS_ORDER,
    });
  });

  it("T-Rex: -d list, worker with -w, HTTP API bound to loopback, telnet API off", () => {
    expect(build({ miner: "trex" }).args).toEqual([
      "-a", "kawpow", "-o", "stratum+tcp://rvn.pool.example:3333", "-u", "RWALLET", "-w", "rig7", "-p", "x", "-d", "1,3",
      "--api-bind-http", "127.0.0.1:4067", "--api-bind-telnet", "0",
    ]);
  });

  it("GMiner: pool split into --server/--port/--ssl, devices space-separated", () => {
    expect(build({ miner: "gminer", algorithm: "kheavyhash", poolUrl: "stratum+ssl://kas.pool.example:5555", gpuIndices: [0, 2, 5] })).toEqual({
      executable: "miner",
      args: ["--algo", "kheavyhash", "--server", "kas.pool.example", "--port", "5555", "--ssl", "1", "--user", "RWALLET.rig7", "--pass", "x",
        "--devices", "0", "2", "5", "--api", "4067"],
      env: BUS_ORDER,
    });
  });

  it("NBMiner: -d list, --api host:port", () => {
    expect(build({ miner: "nbminer" }).args).toEqual(["-a", "kawpow", "-o", "stratum+tcp://rvn.pool.example:3333", "-u", "RWALLET.rig7", "-d", "1,3", "--api", "127.0.0.1:4067"]);
  });

  it("TeamRedMiner: bus-ordered device numbers, cgminer API on loopback", () => {
    expect(build({ miner: "teamredminer", apiPort: 4028 })).toEqual({
      executable: "teamredminer",
      args: ["-a", "kawpow", "-o", "stratum+tcp://rvn.pool.example:3333", "-u", "RWALLET.rig7", "-p", "x", "--bus_reorder", "-d", "1,3", "--api_listen=127.0.0.1:4028"],
      env: {},
    });
  });

  it("SRBMiner-MULTI: --gpu-id list with the CPU disabled and the API enabled", () => {
    expect(build({ miner: "srbminer", executable: "/opt/srb/SRBMiner-MULTI" })).toEqual({
      executable: "/opt/srb/SRBMiner-MULTI",
      args: ["--algorithm", "kawpow", "--pool", "stratum+tcp://rvn.pool.example:3333", "--wallet", "RWALLET.rig7", "--password", "x",
        "--disable-cpu", "--gpu-id", "1,3", "--api-enable", "--api-port", "4067"],
      env: BUS_ORDER,
    });
  });

  it("Rigel: -d list, worker with -w, --api-bind", () => {
    expect(build({ miner: "rigel", worker: "" }).args).toEqual(["-a", "kawpow", "-o", "stratum+tcp://rvn.pool.example:3333", "-u", "RWALLET", "-d", "1,3", "--api-bind", "127.0.0.1:4067"]);
  });

  it("refuses a profile that would put the miner on no GPU, on a GPU twice, or with mismatched buses", () => {
    expect(() => build({ miner: "trex", gpuIndices: [] })).toThrow(/at least one GPU/);
    expect(() => build({ miner: "trex", gpuIndices: [2, 2] })).toThrow(/twice/);
    expect(() => build({ miner: "trex", pciBuses: [1] })).toThrow(/2 GPU indices but 1 PCI buses/);
    expect(() => build({ miner: "gminer", poolUrl: "stratum+tcp://no-port.example" })).toThrow(/host:port/);
  });
});
