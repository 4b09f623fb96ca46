// Writes the shipped scenarios and their traces: `npx tsx apps/simulator/scenarios/generate.ts`.
// Seeded (mulberry32), so the same files come out every time. The traces are invented but shaped
// like the real ones in ../shared/fixtures/market: hourly day-ahead prices with daily and weekly
// cycles, wind hours below zero and scarcity spikes; daily coin rows in Coin Metrics' columns with
// a crash; workloads arriving over the month.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const OUT = import.meta.dirname;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
type Rng = () => number;
const normal = (rng: Rng) => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

/**
 * Wholesale price per MWh: a daily shape (night trough, morning and evening peaks, in local hours),
 * weekends cheaper, a wind index (AR(1)) that drives prices below zero on windy nights, a midday
 * solar dip, and rare scarcity spikes of a few hours.
 */
const energyTrace = (rng: Rng, o: { startMs: number; hours: number; stepMin: number; utcOffsetH: number; base: number; peak: number; wind: number; solar: number; spikeChance: number; spikeTo: number; currency: string }) => {
  const rows = ["ts,price_per_mwh,currency"];
  let wind = 0.3;
  let spikeLeft = 0;
  let spikeLevel = 0;
  const steps = (o.hours * 60) / o.stepMin;
  for (let i = 0; i < steps; i++) {
    const t = o.startMs + i * o.stepMin * 60_000;
    const localH = (((t / HOUR + o.utcOffsetH) % 24) + 24) % 24;
    const weekday = new Date(t + o.utcOffsetH * HOUR).getUTCDay();
    const daily = Math.exp(-((localH - 8.5) ** 2) / 4) + 1.2 * Math.exp(-((localH - 18.5) ** 2) / 5) - 0.5 * Math.exp(-((localH - 3) ** 2) / 6);
    const solar = Math.max(0, Math.cos(((localH - 13) / 12) * Math.PI * 1.6));
    if (i % Math.max(1, 60 / o.stepMin) === 0) wind = Math.min(1.6, Math.max(0, 0.9 * wind + 0.1 * 0.45 + 0.17 * normal(rng)));
    let price = o.base + o.peak * daily - (weekday === 0 || weekday === 6 ? 0.18 * o.base : 0) - o.wind * wind - o.solar * solar + 6 * normal(rng);
    if (spikeLeft === 0 && rng() < o.spikeChance) {
      spikeLeft = 1 + Math.floor(rng() * 3) * Math.max(1, 60 / o.stepMin);
      spikeLevel = o.spikeTo * (0.4 + 0.6 * rng());
    }
    if (spikeLeft > 0) {
      price = Math.max(price, spikeLevel);
      spikeLeft--;
    }
    rows.push(`${iso(t)},${price.toFixed(2)},${o.currency}`);
  }
  return `${rows.join("\n")}\n`;
};

/** Coin Metrics-shaped daily rows: a price walk with an optional crash, network hashrate following profitability with a lag. */
const coinDaily = (rng: Rng, o: { coin: string; startMs: number; days: number; price: number; hashrateHs: number; issuance: number; blocksPerDay: number; crashDay?: number; crashTo?: number; vol: number }) => {
  const rows = ["ts,coin,price_usd,difficulty,network_hashrate_hs,block_reward,block_time_s,blocks_per_day,issuance_native_per_day"];
  let price = o.price;
  let hashrate = o.hashrateHs;
  const revenue0 = (o.issuance * o.price) / o.hashrateHs;
  for (let d = 0; d < o.days; d++) {
    price *= Math.exp(o.vol * normal(rng));
    if (o.crashDay !== undefined && (d === o.crashDay || d === o.crashDay + 1)) price *= Math.sqrt(o.crashTo!);
    // Miners leave a coin whose revenue per hash fell, a few days late.
    const revenue = (o.issuance * price) / hashrate;
    hashrate *= Math.exp(0.25 * Math.log(revenue / revenue0) * 0.5 + 0.01 * normal(rng));
    const blocks = Math.round(o.blocksPerDay * (1 + 0.01 * normal(rng)));
    const issuance = (o.issuance * blocks) / o.blocksPerDay;
    rows.push(`${iso(o.startMs + d * DAY)},${o.coin},${price.toFixed(6)},,${Math.round(hashrate)},,,${blocks},${issuance.toFixed(3)}`);
  }
  return `${rows.join("\n")}\n`;
};

/** Hourly `ts,usd_per_hs_day` (the simplest coin form). */
const coinHourly = (rng: Rng, o: { startMs: number; hours: number; usdPerHsDay: number; vol: number; crashHour?: number; crashTo?: number }) => {
  const rows = ["ts,usd_per_hs_day"];
  let v = o.usdPerHsDay;
  for (let h = 0; h < o.hours; h++) {
    v *= Math.exp(o.vol * normal(rng));
    if (o.crashHour !== undefined && h >= o.crashHour && h < o.crashHour + 6) v *= o.crashTo! ** (1 / 6);
    rows.push(`${iso(o.startMs + h * HOUR)},${v.toExponential(6)}`);
  }
  return `${rows.join("\n")}\n`;
};

/** Daily `ts,price_usd,difficulty` (needs the scenario's blockReward and blockTimeS). */
const coinDifficulty = (rng: Rng, o: { startMs: number; days: number; price: number; difficulty: number; vol: number }) => {
  const rows = ["ts,price_usd,difficulty"];
  let price = o.price;
  let difficulty = o.difficulty;
  for (let d = 0; d < o.days; d++) {
    price *= Math.exp(o.vol * normal(rng));
    difficulty *= Math.exp(0.02 * normal(rng));
    rows.push(`${iso(o.startMs + d * DAY)},${price.toFixed(6)},${difficulty.toFixed(2)}`);
  }
  return `${rows.join("\n")}\n`;
};

const MODELS = {
  "NVIDIA GeForce RTX 3080": { vramGb: 10, idleW: 20, aiW: 272, hash: [{ algorithm: "etchash", hs: 97e6, w: 225 }, { algorithm: "kawpow", hs: 46e6, w: 250 }, { algorithm: "autolykos2", hs: 200e6, w: 185 }] },
  "NVIDIA GeForce RTX 3090": { vramGb: 24, idleW: 25, aiW: 298, hash: [{ algorithm: "etchash", hs: 120e6, w: 290 }, { algorithm: "kawpow", hs: 57e6, w: 300 }, { algorithm: "autolykos2", hs: 235e6, w: 240 }] },
  "NVIDIA GeForce RTX 4090": { vramGb: 24, idleW: 20, aiW: 383, hash: [{ algorithm: "etchash", hs: 130e6, w: 300 }, { algorithm: "kawpow", hs: 65e6, w: 310 }, { algorithm: "autolykos2", hs: 340e6, w: 260 }] },
} as const;
type ModelName = keyof typeof MODELS;
const gpuModels = (names: ModelName[]) => names.map((model) => ({ model, ...MODELS[model], hash: MODELS[model].hash.map((h) => ({ ...h })) }));
const rig = (id: string, site: string, model: ModelName, count: number) => ({ id, site, gpus: Array.from({ length: count }, () => ({ model })) });

/** Customers arriving over the run: mostly single-rig training jobs, a few big ones, one open-ended inference service. */
const workloads = (rng: Rng, o: { startMs: number; hours: number; count: number; prefix: string; rate: [number, number]; maxGpus: number; hoursRange: [number, number] }) =>
  Array.from({ length: o.count }, (_, i) => {
    const gpus = [1, 1, 2, 2, 4, 4, 8].filter((g) => g <= o.maxGpus)[Math.floor(rng() * 7) % [1, 1, 2, 2, 4, 4, 8].filter((g) => g <= o.maxGpus).length]!;
    const arrival = o.startMs + Math.floor(rng() * (o.hours - 12)) * HOUR + Math.floor(rng() * 4) * 15 * 60_000;
    const rate = o.rate[0] + rng() * (o.rate[1] - o.rate[0]);
    return {
      id: `${o.prefix}-${String(i + 1).padStart(2, "0")}`,
      arrival: iso(arrival),
      gpus,
      minVramGb: rng() < 0.6 ? 24 : 10,
      hours: Math.round(o.hoursRange[0] + rng() * (o.hoursRange[1] - o.hoursRange[0])),
      usdPerGpuHour: rate.toFixed(2),
      sameRig: gpus > 1,
    };
  }).sort((a, b) => a.arrival.localeCompare(b.arrival));

const write = (name: string, text: string) => writeFileSync(join(OUT, name), text);
const writeJson = (name: string, value: unknown) => write(name, `${JSON.stringify(value, null, 2)}\n`);
mkdirSync(join(OUT, "traces"), { recursive: true });

// 1. A month at a Danish wind-heavy site: negative nights, evening peaks, a coin crash on day 12.
{
  const rng = mulberry32(20260302);
  const startMs = Date.parse("2026-03-02T00:00:00Z");
  write("traces/dk-west-2026-03-hourly.csv", energyTrace(rng, { startMs, hours: 31 * 24, stepMin: 60, utcOffsetH: 1, base: 85, peak: 55, wind: 110, solar: 15, spikeChance: 0.006, spikeTo: 650, currency: "EUR" }));
  write("traces/etc-2026-03-daily.csv", coinDaily(rng, { coin: "ETC", startMs, days: 31, price: 21, hashrateHs: 2.0e13, issuance: 13_000, blocksPerDay: 6_400, crashDay: 12, crashTo: 0.42, vol: 0.03 }));
  write("traces/rvn-2026-03-daily.csv", coinDaily(rng, { coin: "RVN", startMs, days: 31, price: 0.021, hashrateHs: 3.6e12, issuance: 3_600_000, blocksPerDay: 1_440, vol: 0.04 }));
  writeJson("nordic-wind-month.json", {
    name: "nordic-wind-month",
    start: iso(startMs),
    hours: 30 * 24,
    stepMinutes: 60,
    sites: [{ id: "dk-west", timezone: "Europe/Copenhagen", currency: "EUR", powerCapKw: 20, energy: { trace: "traces/dk-west-2026-03-hourly.csv" } }],
    gpuModels: gpuModels(["NVIDIA GeForce RTX 3080", "NVIDIA GeForce RTX 3090", "NVIDIA GeForce RTX 4090"]),
    rigs: [
      rig("dk-r1", "dk-west", "NVIDIA GeForce RTX 3090", 8), rig("dk-r2", "dk-west", "NVIDIA GeForce RTX 3090", 8), rig("dk-r3", "dk-west", "NVIDIA GeForce RTX 3090", 8),
      rig("dk-r4", "dk-west", "NVIDIA GeForce RTX 4090", 8), rig("dk-r5", "dk-west", "NVIDIA GeForce RTX 4090", 8), rig("dk-r6", "dk-west", "NVIDIA GeForce RTX 3080", 8),
    ],
    coins: [
      { coin: "ETC", algorithm: "etchash", trace: "traces/etc-2026-03-daily.csv" },
      { coin: "RVN", algorithm: "kawpow", trace: "traces/rvn-2026-03-daily.csv" },
    ],
    workloads: [
      ...workloads(rng, { startMs, hours: 30 * 24, count: 18, prefix: "dk-job", rate: [0.18, 0.45], maxGpus: 8, hoursRange: [6, 96] }),
      { id: "dk-inference", arrival: iso(startMs + 5 * DAY), gpus: 4, minVramGb: 24, hours: null, usdPerGpuHour: "0.21", sameRig: true },
    ],
    switch: { hashWarmupMin: 5, aiCheckpointMin: 15 },
    fx: { EUR: "1.08" },
  });
}

// 2. Two sites a fortnight: a Texas-like real-time market with heat-wave spikes and a curtailment
// rule, and a Swedish site on a time-of-use tariff in SEK (no fx given: the reference rate applies).
{
  const rng = mulberry32(20260706);
  const startMs = Date.parse("2026-07-06T05:00:00Z");
  write("traces/tx-2026-07-rt-hourly.csv", energyTrace(rng, { startMs, hours: 15 * 24, stepMin: 60, utcOffsetH: -5, base: 38, peak: 30, wind: 40, solar: 20, spikeChance: 0.02, spikeTo: 2200, currency: "USD" }));
  write("traces/etc-2026-07-hourly-usd-per-hs-day.csv", coinHourly(rng, { startMs, hours: 15 * 24, usdPerHsDay: 1.25e-8, vol: 0.008, crashHour: 150, crashTo: 0.5 }));
  write("traces/rvn-2026-07-daily-difficulty.csv", coinDifficulty(rng, { startMs: startMs - 5 * HOUR, days: 16, price: 0.022, difficulty: 47_500, vol: 0.04 }));
  writeJson("two-sites-spikes.json", {
    name: "two-sites-spikes",
    start: iso(startMs),
    hours: 14 * 24,
    stepMinutes: 60,
    sites: [
      {
        id: "tx", timezone: "America/Chicago", currency: "USD", powerCapKw: 12, energy: { trace: "traces/tx-2026-07-rt-hourly.csv" },
        curtailment: { strikePerKwh: "0.30", windowsAbove: 1, windowsBelow: 2, immediatePerKwh: "1.00" },
      },
      {
        id: "se", timezone: "Europe/Stockholm", currency: "SEK", powerCapKw: 8,
        energy: { tou: [{ days: "mon-fri", from: "07:00", to: "22:00", perKwh: "1.45" }, { days: "sat-sun", from: "10:00", to: "20:00", perKwh: "0.95" }], basePerKwh: "0.62" },
      },
    ],
    gpuModels: gpuModels(["NVIDIA GeForce RTX 3080", "NVIDIA GeForce RTX 3090"]),
    rigs: [
      rig("tx-r1", "tx", "NVIDIA GeForce RTX 3090", 8), rig("tx-r2", "tx", "NVIDIA GeForce RTX 3090", 8), rig("tx-r3", "tx", "NVIDIA GeForce RTX 3080", 8),
      rig("se-r1", "se", "NVIDIA GeForce RTX 3080", 8), rig("se-r2", "se", "NVIDIA GeForce RTX 3090", 8),
    ],
    coins: [
      { coin: "ETC", algorithm: "etchash", trace: "traces/etc-2026-07-hourly-usd-per-hs-day.csv" },
      { coin: "RVN", algorithm: "kawpow", trace: "traces/rvn-2026-07-daily-difficulty.csv", blockReward: "2500", blockTimeS: 60 },
    ],
    workloads: workloads(rng, { startMs, hours: 14 * 24, count: 12, prefix: "tx-job", rate: [0.2, 0.5], maxGpus: 8, hoursRange: [4, 48] }),
    switch: { hashWarmupMin: 5, aiCheckpointMin: 20 },
  });
}

// 3. A week in quarter-hours at one power-capped site with a solar midday dip below zero.
{
  const rng = mulberry32(20260511);
  const startMs = Date.parse("2026-05-11T00:00:00Z");
  write("traces/de-2026-05-quarter-hourly.csv", energyTrace(rng, { startMs, hours: 7 * 24 + 1, stepMin: 15, utcOffsetH: 2, base: 75, peak: 45, wind: 35, solar: 120, spikeChance: 0.003, spikeTo: 900, currency: "EUR" }));
  write("traces/erg-2026-05-hourly-usd-per-hs-day.csv", coinHourly(rng, { startMs, hours: 7 * 24 + 1, usdPerHsDay: 4.6e-9, vol: 0.01 }));
  writeJson("capped-quarter-hours.json", {
    name: "capped-quarter-hours",
    start: iso(startMs),
    hours: 7 * 24,
    stepMinutes: 15,
    sites: [{ id: "de-solar", timezone: "Europe/Berlin", currency: "EUR", powerCapKw: 6, energy: { trace: "traces/de-2026-05-quarter-hourly.csv" } }],
    gpuModels: gpuModels(["NVIDIA GeForce RTX 3090", "NVIDIA GeForce RTX 4090"]),
    rigs: [rig("de-r1", "de-solar", "NVIDIA GeForce RTX 3090", 8), rig("de-r2", "de-solar", "NVIDIA GeForce RTX 3090", 8), rig("de-r3", "de-solar", "NVIDIA GeForce RTX 4090", 8)],
    coins: [{ coin: "ERG", algorithm: "autolykos2", trace: "traces/erg-2026-05-hourly-usd-per-hs-day.csv" }],
    workloads: workloads(rng, { startMs, hours: 7 * 24, count: 8, prefix: "de-job", rate: [0.25, 0.55], maxGpus: 8, hoursRange: [3, 30] }),
    switch: { hashWarmupMin: 10, aiCheckpointMin: 15 },
    fx: { EUR: "1.08" },
  });
}
