import { jsonRpcTcp } from "./json-rpc-tcp";
import { MinerApiError, type FetchStatsOptions, type MinerStats } from "./miner-stats";
import { tcpTarget } from "./transport";
import { count, list, num, percent, record, requireRecord, sensor, text, toHs } from "./values";

/**
 * Claymore / PhoenixMiner / ethminer `miner_getstat1` over raw TCP (default port 3333). `result` is
 * nine strings (FORMATS.md): [0] version ("11.8 - ETH", "PM 5.1c - ETH", ethminer "0.13.0.dev0"),
 * [1] uptime in MINUTES, [2] "total;accepted;rejected", [3] per-GPU rates, [4]/[5] the dual coin,
 * [6] "temp;fan%" pairs per GPU (may be empty, may hold spaces), [7] pools, [8] invalid/switch counters.
 */

/** Coin suffix of the version string → algorithm, and the scale of the rates it prints. */
const COINS: Record<string, { algorithm: string; factor: number }> = {
  // ETH builds (Claymore Dual, PhoenixMiner) print kH/s (Foreman multiplies by 1000).
  ETH: { algorithm: "ethash", factor: 1e3 },
  // CryptoNote and ZCash builds print H/s and Sol/s as they are.
  XMR: { algorithm: "cryptonight", factor: 1 },
  ZEC: { algorithm: "equihash", factor: 1 },
};

/**
 * "11.8 - ETH" → version 11.8, coin ETH; "PM 5.1c - ETH" → 5.1c (PhoenixMiner's prefix dropped);
 * "0.13.0.dev0" has no coin: that is ethminer, which mines Ethash only and answers in kH/s like Claymore.
 */
const readVersion = (raw: string | null) => {
  const [name = "", coin] = (raw ?? "").split(" - ").map((s) => s.trim());
  const known = coin === undefined ? COINS.ETH! : COINS[coin.toUpperCase()];
  return {
    version: name.replace(/^PM\s+/, "") || null,
    algorithm: known?.algorithm ?? null,
    // An unknown coin (a build this has not seen) is taken 1:1 rather than scaled by a guess.
    factor: known?.factor ?? 1,
  };
};

const fields = (s: string | undefined): string[] => (s === undefined || s.trim() === "" ? [] : s.split(";").map((f) => f.trim()));

export const parseClaymoreStats = (raw: unknown): MinerStats => {
  const doc = requireRecord(raw, "miner_getstat1 reply");
  if (doc.error !== null && doc.error !== undefined) throw new MinerApiError(`miner_getstat1 failed: ${JSON.stringify(doc.error)}`);
  const result = list(doc.result).map((r) => text(r) ?? "");
  if (result.length < 4) throw new MinerApiError("miner_getstat1 reply has no result array");
  const { version, algorithm, factor } = readVersion(result[0] ?? null);
  const [total, accepted, rejected] = fields(result[2]);
  const rates = fields(result[3]);
  const sensors = fields(result[6]);
  const minutes = count(result[1]);
  return {
    miner: "claymore",
    version,
    algorithm,
    uptimeS: minutes === null ? null : minutes * 60,
    totalHashrateHs: toHs(num(total), factor),
    accepted: count(accepted),
    rejected: count(rejected),
    // A GPU that stopped hashing still holds its place with 0 (claymore-getstat1-3.json).
    gpus: rates.map((rate, i) => ({
      minerIndex: i,
      pciBus: null,
      hashrateHs: toHs(num(rate), factor),
      accepted: null,
      rejected: null,
      tempC: sensor(sensors[2 * i]),
      powerW: null,
      fanPct: percent(sensors[2 * i + 1]),
    })),
  };
};

/** `tcp://host:3333`; a password set with -mpsw goes in the URL: `tcp://:secret@host:3333`. */
export const fetchClaymoreStats = async (api: URL, options: FetchStatsOptions): Promise<MinerStats> => {
  const { host, port } = tcpTarget(api, 3333);
  const psw = api.password ? decodeURIComponent(api.password) : null;
  const request = { id: 0, jsonrpc: "2.0", method: "miner_getstat1", ...(psw === null ? {} : { psw }) };
  return parseClaymoreStats(record(await jsonRpcTcp(host, port, request, options)));
};
