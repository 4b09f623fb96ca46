import Decimal from "decimal.js";
import { tariffPricePerKwh, type Tariff } from "./tariff-price";

export type LedgerSample = {
  at: Date;
  mode: string;
  coin: string | null;
  workloadId: string | null;
  hashrateHs: number | null;
  powerW: number | null;
};

export type GpuHourInput = {
  hourStart: Date;
  /** This GPU's samples inside the hour, oldest first. */
  samples: LedgerSample[];
  /** A sample stands for the time until the next one, but never longer than this: a silent rig earns nothing. */
  maxGapS: number;
  coinUsdPerHsDay: ReadonlyMap<string, Decimal>;
  workloadUsdPerGpuHour: ReadonlyMap<string, Decimal>;
  tariff: Tariff | null;
  timezone: string;
  currency: string;
  /** USD per unit of the site's currency at this hour. */
  fxUsdPerUnit: Decimal;
};

export type LedgerLine = {
  kind: "HASHING_REVENUE" | "AI_REVENUE" | "ENERGY_COST";
  minutes: Decimal;
  /** Hashes done, AI GPU-hours, or kWh. */
  quantity: Decimal;
  coin: string | null;
  workloadId: string | null;
  /** In `currency`, unrounded. */
  amount: Decimal;
  currency: string;
  amountUsd: Decimal;
};

const HOUR_MS = 3_600_000;
const SECONDS_PER_DAY = 86_400;
const J_PER_KWH = 3_600_000;

const dominant = (seconds: Map<string, number>) => [...seconds.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;

/**
 * Book one GPU-hour from its telemetry: minutes per mode, hashing revenue (hashes done × the
 * coin's USD per H/s per day), AI revenue (GPU-hours in AI × the workload's rate) and energy
 * (W × s → kWh, each interval priced at the tariff in force at its start, in local time).
 * Revenue is booked in USD, energy in the site's currency with its USD value beside it.
 * Nothing is rounded here: the ledger keeps 8 places and reports round once.
 */
export const bookGpuHour = (input: GpuHourInput): LedgerLine[] => {
  const hourEnd = input.hourStart.getTime() + HOUR_MS;
  let hashingHashes = new Decimal(0);
  let hashingRevenueUsd = new Decimal(0);
  let hashingSeconds = 0;
  const coinSeconds = new Map<string, number>();
  let aiRevenueUsd = new Decimal(0);
  let aiSeconds = 0;
  const workloadSeconds = new Map<string, number>();
  let energyKwh = new Decimal(0);
  let energyCost = new Decimal(0);
  let coveredSeconds = 0;

  input.samples.forEach((s, i) => {
    const start = s.at.getTime();
    if (start < input.hourStart.getTime() || start >= hourEnd) return;
    const next = input.samples[i + 1]?.at.getTime() ?? Number.POSITIVE_INFINITY;
    const end = Math.min(next, start + input.maxGapS * 1000, hourEnd);
    const seconds = Math.max(0, (end - start) / 1000);
    if (seconds === 0) return;
    coveredSeconds += seconds;

    if (s.mode === "HASHING" && s.coin) {
      hashingSeconds += seconds;
      coinSeconds.set(s.coin, (coinSeconds.get(s.coin) ?? 0) + seconds);
      const done = new Decimal(s.hashrateHs ?? 0).times(seconds);
      hashingHashes = hashingHashes.plus(done);
      const rate = input.coinUsdPerHsDay.get(s.coin);
      if (rate) hashingRevenueUsd = hashingRevenueUsd.plus(done.times(rate).div(SECONDS_PER_DAY));
    }
    if (s.mode === "AI" && s.workloadId) {
      aiSeconds += seconds;
      workloadSeconds.set(s.workloadId, (workloadSeconds.get(s.workloadId) ?? 0) + seconds);
      const rate = input.workloadUsdPerGpuHour.get(s.workloadId);
      if (rate) aiRevenueUsd = aiRevenueUsd.plus(rate.times(seconds).div(3600));
    }
    if (s.powerW !== null) {
      const kwh = new Decimal(s.powerW).times(seconds).div(J_PER_KWH);
      energyKwh = energyKwh.plus(kwh);
      if (input.tariff) energyCost = energyCost.plus(kwh.times(tariffPricePerKwh({ tariff: input.tariff, timezone: input.timezone, at: s.at })));
    }
  });

  const lines: LedgerLine[] = [];
  const minutes = (s: number) => new Decimal(s).div(60);
  if (hashingSeconds > 0) {
    lines.push({
      kind: "HASHING_REVENUE", minutes: minutes(hashingSeconds), quantity: hashingHashes, coin: dominant(coinSeconds), workloadId: null,
      amount: hashingRevenueUsd, currency: "USD", amountUsd: hashingRevenueUsd,
    });
  }
  if (aiSeconds > 0) {
    lines.push({
      kind: "AI_REVENUE", minutes: minutes(aiSeconds), quantity: new Decimal(aiSeconds).div(3600), coin: null,
      workloadId: dominant(workloadSeconds), amount: aiRevenueUsd, currency: "USD", amountUsd: aiRevenueUsd,
    });
  }
  if (coveredSeconds > 0) {
    lines.push({
      kind: "ENERGY_COST", minutes: minutes(coveredSeconds), quantity: energyKwh, coin: null, workloadId: null,
      amount: energyCost, currency: input.currency, amountUsd: energyCost.times(input.fxUsdPerUnit),
    });
  }
  return lines;
};
