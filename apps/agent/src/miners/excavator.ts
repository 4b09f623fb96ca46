import { jsonRpcTcp } from "./json-rpc-tcp";
import { MinerApiError, type FetchStatsOptions, type MinerStats } from "./miner-stats";
import { tcpTarget } from "./transport";
import { busFromDecimal, count, list, num, percent, record, sensor, sumOrNull, text, type Json } from "./values";

/**
 * NiceHash Excavator JSON-RPC over TCP (default port 3456), three calls (FORMATS.md):
 * - `devices.get` (or `device.get`, whose fields sit in `device` or, in older builds, at top level):
 *   sensors per device, `details.bus_id` DECIMAL, `gpu_power_usage` W, `gpu_fan_speed` %;
 * - `worker.list`: per device the speed of each algorithm it runs (H/s; Sol/s for equihash);
 * - `algorithm.list`: per algorithm the rig's speed and shares, no per-device split.
 * A rig can run a different algorithm per device and two per device (dual), so the stats report one
 * algorithm, the primary: the first of algorithm.list (else of the first worker). A device's
 * hashrate is its speed in that algorithm, null when it mines something else.
 */

export type ExcavatorReplies = { devices?: unknown; workers?: unknown; algorithms?: unknown };

const checked = (reply: unknown, method: string): Json | null => {
  if (reply === undefined) return null;
  const doc = record(reply);
  if (!doc) throw new MinerApiError(`Excavator ${method}: expected a JSON object`);
  if (doc.error !== null && doc.error !== undefined) throw new MinerApiError(`Excavator ${method} failed: ${text(doc.error) ?? JSON.stringify(doc.error)}`);
  return doc;
};

/** devices.get's list, device.get's `device`, or device.get's old top-level fields. */
const deviceList = (doc: Json | null): Json[] => {
  if (!doc) return [];
  if (Array.isArray(doc.devices)) return doc.devices.map((d) => record(d) ?? {});
  if (record(doc.device)) return [record(doc.device)!];
  return doc.device_id === undefined ? [] : [doc];
};

export const parseExcavatorStats = (replies: ExcavatorReplies): MinerStats => {
  const devices = deviceList(checked(replies.devices, "devices.get"));
  const workers = list(checked(replies.workers, "worker.list")?.workers).map((w) => record(w) ?? {});
  const algorithms = list(checked(replies.algorithms, "algorithm.list")?.algorithms).map((a) => record(a) ?? {});
  if (devices.length === 0 && workers.length === 0 && algorithms.length === 0) throw new MinerApiError("Excavator replies list no devices, workers or algorithms");

  const algosOf = (w: Json) => list(w.algorithms).map((a) => record(a) ?? {});
  const primary = text(algorithms[0]?.name) ?? text(workers.map((w) => algosOf(w)[0]?.name).find((n) => text(n) !== null)) ?? null;
  const primaryTotal = algorithms.find((a) => text(a.name) === primary) ?? null;
  const speedOf = (worker: Json | undefined): number | null => {
    if (!worker || primary === null) return null;
    return num(algosOf(worker).find((a) => text(a.name) === primary)?.speed);
  };

  const ids = [...new Set([...devices.map((d) => count(d.device_id)), ...workers.map((w) => count(w.device_id))].filter((id) => id !== null))].sort((a, b) => a - b);
  const gpus = ids.map((id) => {
    const d = devices.find((x) => count(x.device_id) === id) ?? {};
    const worker = workers.find((w) => count(w.device_id) === id);
    return {
      minerIndex: id,
      pciBus: busFromDecimal(record(d.details)?.bus_id),
      hashrateHs: speedOf(worker),
      // Shares are counted per algorithm only.
      accepted: null,
      rejected: null,
      tempC: sensor(d.gpu_temp),
      powerW: sensor(d.gpu_power_usage),
      fanPct: percent(d.gpu_fan_speed),
    };
  });
  const uptime = num(primaryTotal?.uptime);
  return {
    miner: "excavator",
    // Only the `info` call names the version; one poll does not spend a fourth request on it.
    version: null,
    algorithm: primary,
    // algorithm.list's uptime is how long the primary algorithm has run: the mining session.
    uptimeS: uptime === null ? null : Math.round(uptime),
    totalHashrateHs: num(primaryTotal?.speed) ?? (workers.length > 0 ? sumOrNull(gpus.filter((g) => g.hashrateHs !== null).map((g) => g.hashrateHs)) : null),
    accepted: count(primaryTotal?.accepted_shares),
    rejected: count(primaryTotal?.rejected_shares),
    gpus,
  };
};

export const fetchExcavatorStats = async (api: URL, options: FetchStatsOptions): Promise<MinerStats> => {
  const { host, port } = tcpTarget(api, 3456);
  const call = (method: string) => jsonRpcTcp(host, port, { id: 1, method, params: [] }, options);
  const [devices, workers, algorithms] = await Promise.all([call("devices.get"), call("worker.list"), call("algorithm.list")]);
  return parseExcavatorStats({ devices, workers, algorithms });
};
