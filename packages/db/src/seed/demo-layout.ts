import type { Role } from "@rigshift/protocol";
import type { Algorithm, GpuModelName } from "./gpu-models";

/**
 * What the demo farm holds, as plain data: two sites in two currencies, six mixed rigs, three
 * miner profiles, two AI customers and one login per role. demo-farm.ts turns it into rows.
 */

export const DEMO_PASSWORD = "rigshift-demo";

export const DEMO_USERS: readonly { email: string; name: string; role: Role }[] = [
  { email: "admin@demo.rigshift", name: "Ada Admin", role: "ADMIN" },
  { email: "operator@demo.rigshift", name: "Otto Operator", role: "OPERATOR" },
  { email: "finance@demo.rigshift", name: "Fiona Finance", role: "FINANCE" },
  { email: "viewer@demo.rigshift", name: "Vera Viewer", role: "VIEWER" },
];

export type CoinSymbol = "ETC" | "RVN" | "ERG";

export const DEMO_PROFILES: readonly {
  coin: CoinSymbol; name: string; algorithm: Algorithm; miner: string; poolUrl: string; wallet: string; worker: string; extraArgs: string[];
}[] = [
  { coin: "ETC", name: "ETC · lolMiner", algorithm: "etchash", miner: "lolMiner", poolUrl: "stratum+tcp://etc.2miners.com:1010", wallet: "0x4a1F0d5C0b3bB2e1e61b7b5bC4E0F2F1a9C6dE21", worker: "rigshift", extraArgs: [] },
  { coin: "RVN", name: "RVN · T-Rex", algorithm: "kawpow", miner: "T-Rex", poolUrl: "stratum+tcp://rvn.2miners.com:6060", wallet: "RJ7mzUqGZ8Vv8yRtQjC3zq1aN2kXfRr5Yd", worker: "rigshift", extraArgs: ["--intensity", "24"] },
  { coin: "ERG", name: "ERG · lolMiner", algorithm: "autolykos2", miner: "lolMiner", poolUrl: "stratum+tcp://erg.2miners.com:8888", wallet: "9fRusAarL1KkrWQVsxSRVYnvWxaAT2A96cKtNn9tvPh5XUyCisr", worker: "rigshift", extraArgs: [] },
];

/** Which coin each model mines in the demo: where its hashrate per watt is best. */
export const COIN_OF_MODEL: Record<GpuModelName, CoinSymbol> = {
  "NVIDIA GeForce RTX 3060": "ERG",
  "NVIDIA GeForce RTX 3060 Ti": "RVN",
  "NVIDIA GeForce RTX 3070": "RVN",
  "NVIDIA GeForce RTX 3080": "ETC",
  "NVIDIA GeForce RTX 3090": "ETC",
  "NVIDIA GeForce RTX 4090": "ERG",
  "NVIDIA RTX A5000": "ETC",
  "AMD Radeon RX 6800": "ETC",
  "AMD Radeon RX 6800 XT": "ETC",
  "AMD Radeon RX 7900 XTX": "ERG",
};

type TariffSpec = { name: string; basePerKwh: string; windows: { days: string; startMinute: number; endMinute: number; perKwh: string }[] };

export const DEMO_SITES: readonly {
  name: string; timezone: string; currency: string; powerCapKw: string; tariff: TariffSpec;
  rigs: { name: string; models: GpuModelName[] }[];
}[] = [
  {
    name: "Boden",
    timezone: "Europe/Stockholm",
    currency: "SEK",
    powerCapKw: "400",
    tariff: { name: "Boden time-of-use", basePerKwh: "0.55", windows: [{ days: "mon-fri", startMinute: 6 * 60, endMinute: 22 * 60, perKwh: "1.10" }] },
    rigs: [
      { name: "boden-r01", models: ["NVIDIA GeForce RTX 3090", "NVIDIA GeForce RTX 3090", "NVIDIA GeForce RTX 3080", "NVIDIA GeForce RTX 3080", "NVIDIA GeForce RTX 3070", "NVIDIA GeForce RTX 3070", "NVIDIA GeForce RTX 3060 Ti"] },
      { name: "boden-r02", models: ["NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4090", "NVIDIA RTX A5000", "NVIDIA RTX A5000", "NVIDIA GeForce RTX 3060", "NVIDIA GeForce RTX 3060", "NVIDIA GeForce RTX 3060"] },
      { name: "boden-r03", models: ["AMD Radeon RX 6800", "AMD Radeon RX 6800", "AMD Radeon RX 6800 XT", "AMD Radeon RX 6800 XT", "AMD Radeon RX 7900 XTX", "AMD Radeon RX 7900 XTX"] },
    ],
  },
  {
    name: "Amarillo",
    timezone: "America/Chicago",
    currency: "USD",
    powerCapKw: "250",
    tariff: { name: "Amarillo time-of-use", basePerKwh: "0.06", windows: [{ days: "mon-fri", startMinute: 14 * 60, endMinute: 20 * 60, perKwh: "0.14" }] },
    rigs: [
      { name: "amarillo-r01", models: ["NVIDIA GeForce RTX 3080", "NVIDIA GeForce RTX 3080", "NVIDIA GeForce RTX 3080", "NVIDIA GeForce RTX 3070", "NVIDIA GeForce RTX 3070", "NVIDIA GeForce RTX 3060 Ti", "NVIDIA GeForce RTX 3060 Ti"] },
      { name: "amarillo-r02", models: ["AMD Radeon RX 7900 XTX", "AMD Radeon RX 6800 XT", "AMD Radeon RX 6800 XT", "AMD Radeon RX 6800", "AMD Radeon RX 6800", "NVIDIA GeForce RTX 3060", "NVIDIA GeForce RTX 3060"] },
      { name: "amarillo-r03", models: ["NVIDIA GeForce RTX 3090", "NVIDIA GeForce RTX 3090", "NVIDIA GeForce RTX 4090", "NVIDIA RTX A5000", "NVIDIA GeForce RTX 3060 Ti", "NVIDIA GeForce RTX 3060 Ti"] },
    ],
  },
];

export const DEMO_WORKLOADS = [
  {
    key: "llama",
    name: "llama-3-8b-finetune", customer: "Northwind AI", gpusNeeded: 1, minVramMb: 20480, usdPerGpuHour: "0.45",
    expectedHours: "12", priority: 10, checkpointGraceS: 120,
    image: "ghcr.io/northwind-ai/llama-finetune:1.4", command: "python", args: ["train.py", "--resume", "latest"],
  },
  {
    key: "sdxl",
    name: "sdxl-batch-inference", customer: "Pixelforge", gpusNeeded: 1, minVramMb: 8192, usdPerGpuHour: "0.18",
    expectedHours: "6", priority: 5, checkpointGraceS: 30,
    image: "ghcr.io/pixelforge/sdxl-batch:2.1", command: "python", args: ["batch.py", "--queue", "renders"],
  },
] as const;

export type WorkloadKey = (typeof DEMO_WORKLOADS)[number]["key"];

/**
 * Hours of the backfill in which a GPU ran an AI job instead of hashing, so the books hold AI
 * revenue from the start. Hours count back from the end of the backfill; both GPUs fit their
 * workload's VRAM minimum.
 */
export const AI_EPISODES: readonly { rig: string; gpuIndex: number; workload: WorkloadKey; fromHoursAgo: number; toHoursAgo: number }[] = [
  { rig: "boden-r01", gpuIndex: 0, workload: "llama", fromHoursAgo: 22, toHoursAgo: 14 },
  { rig: "amarillo-r01", gpuIndex: 3, workload: "sdxl", fromHoursAgo: 10, toHoursAgo: 4 },
];
