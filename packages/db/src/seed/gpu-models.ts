/**
 * The cards of the demo farm: names and VRAM exactly as nvidia-smi / rocm-smi report them (the
 * simulated agent reports the same strings, so its inventory matches the seeded rows), and
 * per-algorithm hashrate and board power of a tuned card, of the order published by miners'
 * benchmark tables for these models.
 */

export type Algorithm = "etchash" | "kawpow" | "autolykos2";
export type Vendor = "NVIDIA" | "AMD";

export type GpuModelSpec = {
  vendor: Vendor;
  vramMb: number;
  /** Board power under a typical AI training load (W). */
  aiPowerW: number;
  /** Tuned hashrate (H/s) and board power (W) per algorithm. */
  mining: Record<Algorithm, { hashrateHs: number; powerW: number }>;
};

const MH = 1_000_000;

export const GPU_MODELS = {
  "NVIDIA GeForce RTX 3060": {
    vendor: "NVIDIA", vramMb: 12288, aiPowerW: 160,
    mining: { etchash: { hashrateHs: 48 * MH, powerW: 115 }, kawpow: { hashrateHs: 24 * MH, powerW: 125 }, autolykos2: { hashrateHs: 124 * MH, powerW: 105 } },
  },
  "NVIDIA GeForce RTX 3060 Ti": {
    vendor: "NVIDIA", vramMb: 8192, aiPowerW: 190,
    mining: { etchash: { hashrateHs: 60 * MH, powerW: 125 }, kawpow: { hashrateHs: 29.7 * MH, powerW: 158 }, autolykos2: { hashrateHs: 140 * MH, powerW: 110 } },
  },
  "NVIDIA GeForce RTX 3070": {
    vendor: "NVIDIA", vramMb: 8192, aiPowerW: 210,
    mining: { etchash: { hashrateHs: 61 * MH, powerW: 120 }, kawpow: { hashrateHs: 30 * MH, powerW: 150 }, autolykos2: { hashrateHs: 163 * MH, powerW: 110 } },
  },
  "NVIDIA GeForce RTX 3080": {
    vendor: "NVIDIA", vramMb: 10240, aiPowerW: 300,
    mining: { etchash: { hashrateHs: 97.9 * MH, powerW: 224 }, kawpow: { hashrateHs: 46.4 * MH, powerW: 279 }, autolykos2: { hashrateHs: 218 * MH, powerW: 180 } },
  },
  "NVIDIA GeForce RTX 3090": {
    vendor: "NVIDIA", vramMb: 24576, aiPowerW: 330,
    mining: { etchash: { hashrateHs: 120 * MH, powerW: 290 }, kawpow: { hashrateHs: 57 * MH, powerW: 320 }, autolykos2: { hashrateHs: 250 * MH, powerW: 220 } },
  },
  "NVIDIA GeForce RTX 4090": {
    vendor: "NVIDIA", vramMb: 24564, aiPowerW: 420,
    mining: { etchash: { hashrateHs: 130 * MH, powerW: 290 }, kawpow: { hashrateHs: 68 * MH, powerW: 350 }, autolykos2: { hashrateHs: 375 * MH, powerW: 240 } },
  },
  "NVIDIA RTX A5000": {
    vendor: "NVIDIA", vramMb: 24564, aiPowerW: 220,
    mining: { etchash: { hashrateHs: 100 * MH, powerW: 200 }, kawpow: { hashrateHs: 44 * MH, powerW: 220 }, autolykos2: { hashrateHs: 200 * MH, powerW: 170 } },
  },
  "AMD Radeon RX 6800": {
    vendor: "AMD", vramMb: 16368, aiPowerW: 220,
    mining: { etchash: { hashrateHs: 62 * MH, powerW: 125 }, kawpow: { hashrateHs: 32 * MH, powerW: 170 }, autolykos2: { hashrateHs: 140 * MH, powerW: 115 } },
  },
  "AMD Radeon RX 6800 XT": {
    vendor: "AMD", vramMb: 16368, aiPowerW: 270,
    mining: { etchash: { hashrateHs: 64 * MH, powerW: 140 }, kawpow: { hashrateHs: 36 * MH, powerW: 190 }, autolykos2: { hashrateHs: 150 * MH, powerW: 125 } },
  },
  "AMD Radeon RX 7900 XTX": {
    vendor: "AMD", vramMb: 24560, aiPowerW: 330,
    mining: { etchash: { hashrateHs: 88 * MH, powerW: 260 }, kawpow: { hashrateHs: 55 * MH, powerW: 300 }, autolykos2: { hashrateHs: 230 * MH, powerW: 240 } },
  },
} as const satisfies Record<string, GpuModelSpec>;

export type GpuModelName = keyof typeof GPU_MODELS;

export const gpuModelSpec = (model: GpuModelName): GpuModelSpec => GPU_MODELS[model];
