import { parseArgs } from "node:util";
import { MINER_STATS_DRIVERS } from "../miners/drivers";
import { MinerApiError, ZMinerStatsKind, type MinerStats } from "../miners/miner-stats";

/** `rigshift-agent miner-stats --miner KIND --api URL [--json] [--timeout S]`: one read of a miner's API. */

export const MINER_STATS_USAGE = `Usage: rigshift-agent miner-stats --miner KIND --api URL [--json] [--timeout S]

Reads a running miner's own API once and prints its hashrates (H/s), shares and per-GPU sensors.
  --miner KIND   ${ZMinerStatsKind.options.join(", ")}
  --api URL      http://host:port (the path defaults to the miner's own: /2/summary, /summary, /stat, ...)
                 or tcp://host:port for TeamRedMiner (cgminer API, default port 4028) and T-Rex telnet
  --json         print the stats as JSON (else a short table)
  --timeout S    give up after S seconds (default 5)`;

export type MinerStatsIo = { stdout: (text: string) => void; stderr: (text: string) => void };

class UsageError extends Error {}

const parse = (argv: readonly string[]) => {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { miner: { type: "string" }, api: { type: "string" }, json: { type: "boolean" }, timeout: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return null;
  if (!values.miner) throw new UsageError("miner-stats needs --miner KIND");
  const kind = ZMinerStatsKind.safeParse(values.miner);
  if (!kind.success) throw new UsageError(`no stats driver for miner "${values.miner}"; supported: ${ZMinerStatsKind.options.join(", ")}`);
  if (!values.api) throw new UsageError("miner-stats needs --api URL");
  let api: URL;
  try {
    api = new URL(values.api);
  } catch {
    throw new UsageError(`--api must be a URL like http://127.0.0.1:4067 or tcp://127.0.0.1:4028, got "${values.api}"`);
  }
  if (!["http:", "tcp:"].includes(api.protocol)) throw new UsageError(`--api must be http:// or tcp://, got "${api.protocol}//"`);
  const timeoutS = values.timeout === undefined ? 5 : Number(values.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got "${values.timeout}"`);
  return { miner: kind.data, api, json: values.json === true, timeoutMs: Math.round(timeoutS * 1000) };
};

const cell = (x: number | string | null) => (x === null ? "-" : String(x));

const table = (s: MinerStats): string => {
  const head = `${s.miner} ${cell(s.version)}  algorithm ${cell(s.algorithm)}  uptime ${cell(s.uptimeS)} s  total ${cell(s.totalHashrateHs)} H/s  shares ${cell(s.accepted)}/${cell(s.rejected)}`;
  const rows = s.gpus.map(
    (g) => `  GPU ${g.minerIndex}  bus ${cell(g.pciBus)}  ${cell(g.hashrateHs)} H/s  ${cell(g.accepted)}/${cell(g.rejected)}  ${cell(g.tempC)} C  ${cell(g.powerW)} W  fan ${cell(g.fanPct)} %`,
  );
  return [head, ...rows].join("\n") + "\n";
};

/** Exit status: 0 stats printed, 1 the miner could not be read, 2 the command was called wrong. */
export const runMinerStatsCommand = async (argv: readonly string[], io: MinerStatsIo): Promise<number> => {
  let opts: ReturnType<typeof parse>;
  try {
    opts = parse(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`rigshift-agent miner-stats: ${err.message}\n\n${MINER_STATS_USAGE}\n`);
    return 2;
  }
  if (opts === null) {
    io.stdout(`${MINER_STATS_USAGE}\n`);
    return 0;
  }
  try {
    const stats = await MINER_STATS_DRIVERS[opts.miner](opts.api, { timeoutMs: opts.timeoutMs });
    io.stdout(opts.json ? `${JSON.stringify(stats)}\n` : table(stats));
    return 0;
  } catch (err) {
    if (!(err instanceof MinerApiError)) throw err;
    io.stderr(`rigshift-agent miner-stats: ${opts.miner}: ${err.message}\n`);
    return 1;
  }
};
