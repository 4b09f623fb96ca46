import type { TelemetryRow } from "../queries/telemetry";
import { GPU_MODELS, type Algorithm, type GpuModelName } from "./gpu-models";
import type { Random } from "./random";

/**
 * A day of telemetry as the agents would have sent it: one sample per GPU per minute, one seq per
 * rig and tick. Readings follow each model's tuned figures with noise; a GPU whose card runs warm
 * stays warm; fans follow temperature; AI hours draw more power and VRAM and hash nothing.
 */

export type BackfillGpu = { gpuId: string; index: number; model: GpuModelName; coin: string; algorithm: Algorithm };
export type BackfillRig = { rigId: string; gpus: BackfillGpu[] };
/** A GPU running an AI workload in [from, to). */
export type AiEpisode = { gpuId: string; workloadId: string; vramUsedMb: number; from: Date; to: Date };

const MINUTE_MS = 60_000;

/** VRAM a miner holds: the DAG (etchash), the kawpow cache, autolykos2's table. */
const MINER_VRAM_MB: Record<Algorithm, number> = { etchash: 3_900, kawpow: 4_600, autolykos2: 2_900 };

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export const buildTelemetryBackfill = ({
  rigs, episodes, now, minutes, random,
}: { rigs: BackfillRig[]; episodes: AiEpisode[]; now: Date; minutes: number; random: Random }): TelemetryRow[] => {
  const end = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  const rows: TelemetryRow[] = [];
  for (const rig of rigs) {
    // Each card's own offsets: silicon lottery and airflow in the frame.
    const cards = rig.gpus.map((gpu) => ({
      gpu,
      spec: GPU_MODELS[gpu.model],
      tempBaseC: 58 + 6 * random.next(),
      tuning: 1 + 0.02 * random.gaussian(),
      episodes: episodes.filter((e) => e.gpuId === gpu.gpuId),
    }));
    for (let tick = 0; tick < minutes; tick++) {
      const at = new Date(end - (minutes - tick) * MINUTE_MS);
      // Agents count seq from 0; the backfill sits below that (−minutes … −1), so a freshly
      // enrolled agent's first messages are neither taken for duplicates nor dropped as acked.
      const seq = tick - minutes;
      // Ambient swing over the day (±2 °C).
      const ambientC = 2 * Math.sin((2 * Math.PI * at.getTime()) / 86_400_000);
      for (const { gpu, spec, tempBaseC, tuning, episodes: own } of cards) {
        const episode = own.find((e) => e.from <= at && at < e.to);
        const base = { rigId: rig.rigId, seq, gpuIndex: gpu.index, gpuId: gpu.gpuId, at };
        if (episode) {
          const powerW = spec.aiPowerW * (0.9 + 0.05 * random.gaussian());
          const tempC = clamp(tempBaseC + 8 + ambientC + 1.5 * random.gaussian(), 30, 90);
          rows.push({
            ...base, mode: "AI", coin: null, workloadId: episode.workloadId, hashrateHs: null,
            powerW: round(powerW, 1), tempC: round(tempC, 1), fanPct: round(clamp(30 + (tempC - 45) * 1.6, 30, 100), 0),
            utilPct: round(clamp(93 + 3 * random.gaussian(), 0, 100), 0),
            vramUsedMb: Math.round(episode.vramUsedMb * (1 + 0.01 * random.gaussian())),
          });
          continue;
        }
        const tuned = spec.mining[gpu.algorithm];
        const tempC = clamp(tempBaseC + ambientC + 1.2 * random.gaussian(), 30, 90);
        rows.push({
          ...base, mode: "HASHING", coin: gpu.coin, workloadId: null,
          hashrateHs: Math.round(tuned.hashrateHs * tuning * (1 + 0.015 * random.gaussian())),
          powerW: round(tuned.powerW * (1 + 0.02 * random.gaussian()), 1),
          tempC: round(tempC, 1),
          fanPct: round(clamp(30 + (tempC - 45) * 1.6, 30, 100), 0),
          utilPct: round(clamp(99 - Math.abs(random.gaussian()), 0, 100), 0),
          vramUsedMb: MINER_VRAM_MB[gpu.algorithm],
        });
      }
    }
  }
  return rows;
};
