import { z } from "zod";

/** The miners Rigshift can launch (build-miner-command.ts) and read. */
export const ZMinerKind = z.enum(["xmrig", "lolminer", "trex", "gminer", "nbminer", "teamredminer", "srbminer", "rigel"]);
export type MinerKind = z.infer<typeof ZMinerKind>;

/**
 * The miners whose API the agent reads; `miner-stats --miner` takes one of these. The launchable ones
 * plus older miners it only watches (started by hand or by a rig OS): it has no command line for them.
 */
export const ZMinerStatsKind = z.enum([...ZMinerKind.options, "claymore", "excavator", "miniz", "nanominer"]);
export type MinerStatsKind = z.infer<typeof ZMinerStatsKind>;

/**
 * One GPU as the miner sees it. `minerIndex` is the miner's own (dense, often CUDA-ordered) number,
 * never the nvidia-smi index: join to the GPU tools by `pciBus` (the bus number, an integer) where
 * the miner gives one. Every other field is null where the miner does not say, never 0.
 */
export type MinerGpuStats = {
  minerIndex: number;
  pciBus: number | null;
  hashrateHs: number | null;
  accepted: number | null;
  rejected: number | null;
  tempC: number | null;
  powerW: number | null;
  fanPct: number | null;
};

/** What one miner API read says, in H/s whatever unit the miner reports in. */
export type MinerStats = {
  miner: MinerStatsKind;
  version: string | null;
  algorithm: string | null;
  uptimeS: number | null;
  totalHashrateHs: number | null;
  accepted: number | null;
  rejected: number | null;
  gpus: MinerGpuStats[];
};

export type FetchStatsOptions = { timeoutMs: number };

/** A driver reads one miner's API and normalises it; `parse` functions are pure and exported beside it. */
export type MinerStatsDriver = (api: URL, options: FetchStatsOptions) => Promise<MinerStats>;

/**
 * The miner API could not be read or understood (refused, timed out, not JSON, unknown shape).
 * The CLI prints the message and exits 1; the supervisor counts it as a failed poll.
 */
export class MinerApiError extends Error {
  override name = "MinerApiError";
  constructor(
    message: string,
    readonly details?: object,
  ) {
    super(message);
  }
}
