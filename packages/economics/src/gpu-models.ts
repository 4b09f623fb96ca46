/**
 * Hashrate and board power of common GPU models, the planner's starting point before the fleet's
 * own telemetry rollups replace them. Figures from public tuned-mining benchmarks (hashrate.no,
 * minerstat, whattomine), rounded; they match what the simulated agent reports, so a simulated
 * farm's learned figures agree with this table. Names exactly as nvidia-smi / rocm-smi print them.
 * VRAM is the marketed size: cards report a little less (24564 MiB for a "24 GB" 4090).
 */
export type GpuModelPerf = {
  model: string;
  vramGb: number;
  /** Board power when idle (curtailed) and under an AI workload, W. */
  idleW: number;
  aiW: number;
  hash: { algorithm: string; hs: number; w: number }[];
};

const MH = 1e6;

const row = (model: string, vramGb: number, idleW: number, aiW: number, etchash: [mhs: number, w: number], kawpow: [mhs: number, w: number], autolykos2: [mhs: number, w: number]): GpuModelPerf => ({
  model,
  vramGb,
  idleW,
  aiW,
  hash: [
    { algorithm: "etchash", hs: etchash[0] * MH, w: etchash[1] },
    { algorithm: "kawpow", hs: kawpow[0] * MH, w: kawpow[1] },
    { algorithm: "autolykos2", hs: autolykos2[0] * MH, w: autolykos2[1] },
  ],
});

// AI power: a training job runs near the power limit (~85 % of TDP).
export const GPU_MODEL_PERF: readonly GpuModelPerf[] = [
  row("NVIDIA GeForce RTX 3060", 12, 12, 145, [48, 115], [24, 125], [105, 100]),
  row("NVIDIA GeForce RTX 3060 Ti", 8, 14, 170, [60, 120], [29, 150], [125, 110]),
  row("NVIDIA GeForce RTX 3070", 8, 15, 187, [61, 120], [30, 160], [135, 115]),
  row("NVIDIA GeForce RTX 3080", 10, 20, 272, [97, 225], [46, 250], [200, 185]),
  row("NVIDIA GeForce RTX 3090", 24, 25, 298, [120, 290], [57, 300], [235, 240]),
  row("NVIDIA GeForce RTX 4090", 24, 20, 383, [130, 300], [65, 310], [340, 260]),
  row("NVIDIA RTX A5000", 24, 18, 196, [100, 175], [45, 200], [190, 150]),
  row("AMD Radeon RX 6800", 16, 10, 213, [62, 130], [32, 155], [180, 125]),
  row("AMD Radeon RX 6800 XT", 16, 10, 255, [63, 140], [35, 175], [190, 135]),
  row("AMD Radeon RX 7900 XTX", 24, 15, 302, [85, 230], [52, 265], [300, 200]),
];

/** A model's row by its exact name, or null. */
export const findGpuModelPerf = (model: string): GpuModelPerf | null => GPU_MODEL_PERF.find((m) => m.model === model) ?? null;
