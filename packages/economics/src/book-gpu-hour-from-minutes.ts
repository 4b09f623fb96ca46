import Decimal from "decimal.js";
import type { GpuHourInput, LedgerLine } from "./book-gpu-hour";
import { tariffPricePerKwh } from "./tariff-price";

/** A GPU's time in one mode (and coin or workload) within one minute: a `TelemetryMinute` row. */
export type MinuteUsage = {
  bucket: Date;
  mode: string;
  coin: string | null;
  workloadId: string | null;
  /** Start of the row's first second: which coin or workload ran first, for ties. */
  firstAt: Date;
  seconds: Decimal;
  hashes: Decimal;
  energyWh: Decimal;
};

export type GpuHourFromMinutesInput = Omit<GpuHourInput, "samples" | "maxGapS"> & {
  /** This GPU's minute rows inside the hour. */
  minutes: MinuteUsage[];
};

const SECONDS_PER_DAY = 86_400;

const dominant = (seconds: Map<string, Decimal>) => [...seconds.entries()].sort((a, b) => b[1].comparedTo(a[1]))[0]?.[0] ?? null;

const add = (m: Map<string, Decimal>, key: string, d: Decimal) => m.set(key, (m.get(key) ?? new Decimal(0)).plus(d));

/**
 * Book one GPU-hour from its minute rollups: the same lines as economics' `bookGpuHour` books
 * from raw samples (hashes × the coin's USD per H/s per day; AI GPU-hours × the workload's rate;
 * energy at the tariff), with energy priced per minute at the tariff in force in that minute of
 * the site's local time. Tariff windows start and end on whole minutes, so that is exact, where
 * pricing a sample's interval at its start is not when the interval crosses a window's edge.
 *
 * The one other difference from booking raw samples hour by hour: the minutes also hold the part
 * of the previous hour's last sample that reaches past the hour's start (split by the fold), time
 * the GPU ran that the raw booking left out of both hours. Nothing is rounded here.
 */
export const bookGpuHourFromMinutes = (input: GpuHourFromMinutesInput): LedgerLine[] => {
  // Ties in "which coin ran most" go to the one that ran first, as in the raw booking.
  const minutes = [...input.minutes].filter((m) => m.seconds.gt(0)).sort((a, b) => a.firstAt.getTime() - b.firstAt.getTime());
  let hashes = new Decimal(0);
  let hashingUsd = new Decimal(0);
  let hashingSeconds = new Decimal(0);
  const coinSeconds = new Map<string, Decimal>();
  let aiUsd = new Decimal(0);
  let aiSeconds = new Decimal(0);
  const workloadSeconds = new Map<string, Decimal>();
  let energyKwh = new Decimal(0);
  let energyCost = new Decimal(0);
  let coveredSeconds = new Decimal(0);

  for (const m of minutes) {
    coveredSeconds = coveredSeconds.plus(m.seconds);
    if (m.mode === "HASHING" && m.coin) {
      hashingSeconds = hashingSeconds.plus(m.seconds);
      add(coinSeconds, m.coin, m.seconds);
      hashes = hashes.plus(m.hashes);
      const rate = input.coinUsdPerHsDay.get(m.coin);
      if (rate) hashingUsd = hashingUsd.plus(m.hashes.times(rate).div(SECONDS_PER_DAY));
    }
    if (m.mode === "AI" && m.workloadId) {
      aiSeconds = aiSeconds.plus(m.seconds);
      add(workloadSeconds, m.workloadId, m.seconds);
      const rate = input.workloadUsdPerGpuHour.get(m.workloadId);
      if (rate) aiUsd = aiUsd.plus(rate.times(m.seconds).div(3600));
    }
    const kwh = m.energyWh.div(1000);
    energyKwh = energyKwh.plus(kwh);
    if (input.tariff) energyCost = energyCost.plus(kwh.times(tariffPricePerKwh({ tariff: input.tariff, timezone: input.timezone, at: m.bucket })));
  }

  const lines: LedgerLine[] = [];
  if (hashingSeconds.gt(0)) {
    lines.push({
      kind: "HASHING_REVENUE", minutes: hashingSeconds.div(60), quantity: hashes, coin: dominant(coinSeconds), workloadId: null,
      amount: hashingUsd, currency: "USD", amountUsd: hashingUsd,
    });
  }
  if (aiSeconds.gt(0)) {
    lines.push({
      kind: "AI_REVENUE", minutes: aiSeconds.div(60), quantity: aiSeconds.div(3600), coin: null, workloadId: dominant(workloadSeconds),
      amount: aiUsd, currency: "USD", amountUsd: aiUsd,
    });
  }
  if (coveredSeconds.gt(0)) {
    lines.push({
      kind: "ENERGY_COST", minutes: coveredSeconds.div(60), quantity: energyKwh, coin: null, workloadId: null,
      amount: energyCost, currency: input.currency, amountUsd: energyCost.times(input.fxUsdPerUnit),
    });
  }
  return lines;
};
