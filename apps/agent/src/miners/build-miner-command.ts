import type { MinerKind } from "./miner-stats";

/**
 * A miner profile for exactly the GPUs assigned to it, turned into that miner's own command line.
 *
 * `gpuIndices` are the agent's GPU indices (nvidia-smi / rocm-smi order, which is PCI bus order). Miners
 * number devices their own way, so the command pins the numbering to bus order too: NVIDIA miners get
 * CUDA_DEVICE_ORDER=PCI_BUS_ID (CUDA's default is fastest-first), TeamRedMiner gets --bus_reorder.
 * `pciBuses`, when the caller knows them, must match `gpuIndices` one to one; they are checked, not passed
 * (none of these miners selects devices by bus), and the stats driver's `pciBus` confirms the result.
 *
 * Flag sources: GMiner develsoftware/GMinerRelease readme.txt (--server/--port/--ssl, space-separated
 * --devices, --api PORT); SRBMiner-MULTI usage in cniweb/srbminer-multi-docker (--algorithm, --pool,
 * --wallet W.worker, --password) and a SRBMiner 2.9.8 launcher (--disable-cpu, --api-enable, --api-port);
 * Rigel -a/-o/-u/-w from rigelminer release usage scripts. From the miners' own --help, not re-checked
 * here: xmrig --cuda-devices/--opencl-devices/--http-port, lolMiner --apiport/--apihost, T-Rex
 * --api-bind-http, NBMiner --api, TeamRedMiner --api_listen/--bus_reorder, SRBMiner --gpu-id, Rigel --api-bind.
 */
export type MinerProfile = {
  miner: MinerKind;
  algorithm: string;
  /** stratum+tcp://host:port, stratum+ssl://host:port or host:port */
  poolUrl: string;
  wallet: string;
  worker: string;
  extraArgs: readonly string[];
  gpuIndices: readonly number[];
  apiPort: number;
  pciBuses?: readonly number[];
  /** xmrig only: CUDA plugin for NVIDIA, OpenCL for AMD. Default nvidia. */
  gpuVendor?: "nvidia" | "amd";
  /** Path of the miner binary; default its usual name, looked up on PATH. */
  executable?: string;
};

export type MinerCommand = { executable: string; args: string[]; env: Record<string, string> };

export class MinerProfileError extends Error {
  override name = "MinerProfileError";
}

const DEFAULT_EXECUTABLE: Record<MinerKind, string> = {
  xmrig: "xmrig",
  lolminer: "lolMiner",
  trex: "t-rex",
  gminer: "miner",
  nbminer: "nbminer",
  teamredminer: "teamredminer",
  srbminer: "SRBMiner-MULTI",
  rigel: "rigel",
};

/** Host, port and TLS of a pool URL, for GMiner which takes them as separate flags. */
const splitPool = (poolUrl: string) => {
  const m = /^(?:([a-z0-9+.-]+):\/\/)?([^/:]+|\[[^\]]+\]):(\d{1,5})\/?$/i.exec(poolUrl.trim());
  if (!m) throw new MinerProfileError(`pool URL must end in host:port, got "${poolUrl}"`);
  return { host: m[2]!, port: m[3]!, ssl: /ssl|tls/i.test(m[1] ?? "") };
};

const validate = (p: MinerProfile) => {
  if (p.gpuIndices.length === 0) throw new MinerProfileError("a miner needs at least one GPU");
  if (p.gpuIndices.some((i) => !Number.isInteger(i) || i < 0)) throw new MinerProfileError(`GPU indices must be non-negative integers, got ${p.gpuIndices.join(",")}`);
  if (new Set(p.gpuIndices).size !== p.gpuIndices.length) throw new MinerProfileError(`GPU ${p.gpuIndices.join(",")}: an index is listed twice`);
  if (p.pciBuses && p.pciBuses.length !== p.gpuIndices.length) {
    throw new MinerProfileError(`${p.gpuIndices.length} GPU indices but ${p.pciBuses.length} PCI buses`);
  }
  if (!Number.isInteger(p.apiPort) || p.apiPort < 1 || p.apiPort > 65535) throw new MinerProfileError(`API port must be 1-65535, got ${p.apiPort}`);
  for (const [name, value] of [["algorithm", p.algorithm], ["pool URL", p.poolUrl], ["wallet", p.wallet]] as const) {
    if (value.trim() === "") throw new MinerProfileError(`miner profile has no ${name}`);
  }
};

export const buildMinerCommand = (p: MinerProfile): MinerCommand => {
  validate(p);
  const ids = p.gpuIndices.map(String);
  const list = ids.join(",");
  const user = p.worker ? `${p.wallet}.${p.worker}` : p.wallet;
  // The API listens on loopback only: the agent is its one reader, and some APIs can stop the miner.
  const bind = `127.0.0.1:${p.apiPort}`;
  const port = String(p.apiPort);
  const cuda = { CUDA_DEVICE_ORDER: "PCI_BUS_ID" };

  const own = ((): { args: string[]; env: Record<string, string> } => {
    switch (p.miner) {
      case "xmrig": {
        const backend = p.gpuVendor === "amd" ? "opencl" : "cuda";
        return {
          args: [
            "--algo", p.algorithm, "--url", p.poolUrl, "--user", p.wallet,
            // XMR pools take the worker name as password; --rig-id for pools that support it.
            "--pass", p.worker || "x", ...(p.worker ? ["--rig-id", p.worker] : []),
            "--no-cpu", `--${backend}`, `--${backend}-devices=${list}`,
            "--http-host", "127.0.0.1", "--http-port", port,
          ],
          env: backend === "cuda" ? cuda : {},
        };
      }
      case "lolminer":
        return { args: ["--algo", p.algorithm, "--pool", p.poolUrl, "--user", user, "--devices", list, "--apihost", "127.0.0.1", "--apiport", port], env: cuda };
      case "trex":
        return {
          args: ["-a", p.algorithm, "-o", p.poolUrl, "-u", p.wallet, ...(p.worker ? ["-w", p.worker] : []), "-p", "x", "-d", list, "--api-bind-http", bind, "--api-bind-telnet", "0"],
          env: cuda,
        };
      case "gminer": {
        const pool = splitPool(p.poolUrl);
        return {
          args: ["--algo", p.algorithm, "--server", pool.host, "--port", pool.port, ...(pool.ssl ? ["--ssl", "1"] : []), "--user", user, "--pass", "x", "--devices", ...ids, "--api", port],
          env: cuda,
        };
      }
      case "nbminer":
        return { args: ["-a", p.algorithm, "-o", p.poolUrl, "-u", user, "-d", list, "--api", bind], env: cuda };
      case "teamredminer":
        return { args: ["-a", p.algorithm, "-o", p.poolUrl, "-u", user, "-p", "x", "--bus_reorder", "-d", list, `--api_listen=${bind}`], env: {} };
      case "srbminer":
        return {
          args: ["--algorithm", p.algorithm, "--pool", p.poolUrl, "--wallet", user, "--password", "x", "--disable-cpu", "--gpu-id", list, "--api-enable", "--api-port", port],
          env: cuda,
        };
      case "rigel":
        return {
          args: ["-a", p.algorithm, "-o", p.poolUrl, "-u", p.wallet, ...(p.worker ? ["-w", p.worker] : []), "-d", list, "--api-bind", bind],
          env: cuda,
        };
    }
  })();
  return { executable: p.executable ?? DEFAULT_EXECUTABLE[p.miner], args: [...own.args, ...p.extraArgs], env: own.env };
};
