import type { GpuVendor } from "@rigshift/protocol";

export const SIM_ALGORITHMS = ["etchash", "kawpow", "autolykos2"] as const;
export type SimAlgorithm = (typeof SIM_ALGORITHMS)[number];

type AlgoFigures = { hashrateHs: number; powerW: number; vramUsedMb: number };

export type GpuModelSpec = {
  name: string;
  vendor: GpuVendor;
  vramMb: number;
  /** Board power limit; temperature is scaled by the share of it drawn. */
  tdpW: number;
  idlePowerW: number;
  /** Tuned figures (core clock locked, memory overclocked, power limited) per algorithm. */
  algorithms: Record<SimAlgorithm, AlgoFigures>;
  /** A training/inference job: near the power limit, most of the VRAM. */
  ai: { powerW: number; utilPct: number; vramUsedMb: number };
};

const MH = 1e6;
// DAG / table sizes in 2025: ETC etchash ~4.3 GB, RVN kawpow ~4.6 GB, ERG autolykos2 ~3.3 GB, plus miner overhead.
const dag = { etchash: 4_500, kawpow: 4_800, autolykos2: 3_500 } as const;

const algos = (
  etchash: [mhs: number, w: number],
  kawpow: [mhs: number, w: number],
  autolykos2: [mhs: number, w: number],
): Record<SimAlgorithm, AlgoFigures> => ({
  etchash: { hashrateHs: etchash[0] * MH, powerW: etchash[1], vramUsedMb: dag.etchash },
  kawpow: { hashrateHs: kawpow[0] * MH, powerW: kawpow[1], vramUsedMb: dag.kawpow },
  autolykos2: { hashrateHs: autolykos2[0] * MH, powerW: autolykos2[1], vramUsedMb: dag.autolykos2 },
});

const model = (name: string, vramMb: number, tdpW: number, idlePowerW: number, figures: Record<SimAlgorithm, AlgoFigures>): GpuModelSpec => ({
  name,
  vendor: name.startsWith("AMD") ? "AMD" : "NVIDIA",
  vramMb,
  tdpW,
  idlePowerW,
  algorithms: figures,
  ai: { powerW: Math.round(tdpW * 0.85), utilPct: 97, vramUsedMb: Math.round(vramMb * 0.88) },
});

/**
 * Figures from public tuned-mining benchmarks (hashrate.no, minerstat, whattomine), rounded:
 * [MH/s, W at the wall-side board sensor] for etchash, kawpow, autolykos2.
 */
export const GPU_MODELS: readonly GpuModelSpec[] = [
  model("NVIDIA GeForce RTX 3060", 12288, 170, 12, algos([48, 115], [24, 125], [105, 100])),
  model("NVIDIA GeForce RTX 3060 Ti", 8192, 200, 14, algos([60, 120], [29, 150], [125, 110])),
  model("NVIDIA GeForce RTX 3070", 8192, 220, 15, algos([61, 120], [30, 160], [135, 115])),
  model("NVIDIA GeForce RTX 3080", 10240, 320, 20, algos([97, 225], [46, 250], [200, 185])),
  model("NVIDIA GeForce RTX 3090", 24576, 350, 25, algos([120, 290], [57, 300], [235, 240])),
  model("NVIDIA GeForce RTX 4090", 24564, 450, 20, algos([130, 300], [65, 310], [340, 260])),
  model("NVIDIA RTX A5000", 24564, 230, 18, algos([100, 175], [45, 200], [190, 150])),
  model("AMD Radeon RX 6800", 16368, 250, 10, algos([62, 130], [32, 155], [180, 125])),
  model("AMD Radeon RX 6800 XT", 16368, 300, 10, algos([63, 140], [35, 175], [190, 135])),
  model("AMD Radeon RX 7900 XTX", 24560, 355, 15, algos([85, 230], [52, 265], [300, 200])),
];

/** The spec of a model by its exact name (as nvidia-smi / rocm-smi print it), or null. */
export const findGpuModel = (name: string): GpuModelSpec | null => GPU_MODELS.find((m) => m.name === name) ?? null;

export const isSimAlgorithm = (algorithm: string): algorithm is SimAlgorithm =>
  (SIM_ALGORITHMS as readonly string[]).includes(algorithm);
