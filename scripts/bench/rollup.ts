// `npm run bench -- rollup`: what the scheduler's rollup jobs cost PostgreSQL per raw GPU sample,
// and so what share of a core they need at a given ingest rate. Samples of 1,000 rigs × 8 GPUs every
// 10 s (the `agents` cadence) are COPYed in with the gateway's writer, then folded as the jobs fold
// them with the default config: the minute job folds its lookback (ROLLUP_LOOKBACK_MINUTES) on its
// cron (ROLLUP_MINUTE_CRON), the hour job sums its ROLLUP_LOOKBACK_HOURS from their minutes each hour,
// and the ledger books hours from the minutes as they stand (neither reads raw samples). Also timed: an
// hour folded from raw, what the hour job and the ledger fall back to where minutes are missing.
// Baseline: the same rows read and grouped per GPU and minute, one average each, which is what any
// fold costs before its arithmetic.
import { randomUUID } from "node:crypto";
import { loadSchedulerConfig } from "@rigshift/config";
import { createDb, createTelemetryWriter, foldTelemetry, groupTelemetryMessages, sumMinutesIntoHours, type TelemetryRow } from "@rigshift/db";
import { createBenchDatabase, percentile } from "./lib/fleet";
import { runBench } from "./lib/harness";
import { formatTable, round } from "./lib/table";

const RIGS = Number(process.env.BENCH_ROLLUP_RIGS ?? 1_000);
const GPUS = 8;
const INTERVAL_S = 10;
const RUNS = 3;
/** Minutes of samples: the minute job's lookback, plus room on each side for its scan. */
const MINUTES = 16;
/** Ingest rates to project on: the `agents` load (10,000 rigs × 8 GPUs every 10 s) and the target. */
const RATES = [8_000, 150_000];

/** Minutes between runs of a cron whose minute field is `*`, `*\/N` or one number (hourly); the rest of it every. */
const minutesBetweenRuns = (cron: string) => {
  const minute = cron.trim().split(/\s+/)[0]!;
  if (minute === "*") return 1;
  const every = /^\*\/(\d+)$/.exec(minute);
  if (every) return Number(every[1]);
  if (/^\d+$/.test(minute)) return 60;
  throw new Error(`ROLLUP_MINUTE_CRON "${cron}": the bench projects only crons whose minute field is *, */N or a number`);
};

await runBench("rollup", 3 * 60_000 - 10_000, async (ctx) => {
  const { note } = ctx;
  const config = loadSchedulerConfig();
  const lookbackMinutes = config.ROLLUP_LOOKBACK_MINUTES;
  const everyMinutes = minutesBetweenRuns(config.ROLLUP_MINUTE_CRON);
  const lookbackHours = config.ROLLUP_LOOKBACK_HOURS;
  const maxGapS = config.LEDGER_MAX_GAP_S;
  const databaseUrl = await createBenchDatabase(ctx, "rollup");

  // Whole minutes, ending well before now so no sample is in the future.
  const start = Math.floor(Date.now() / 60_000) * 60_000 - (MINUTES + 5) * 60_000;
  note(`${RIGS} rigs × ${GPUS} GPUs every ${INTERVAL_S} s for ${MINUTES} minutes (${RIGS * GPUS / INTERVAL_S} samples/s), COPYed with the gateway's writer`);
  const writer = createTelemetryWriter({ databaseUrl });
  const rigs = Array.from({ length: RIGS }, (_, i) => ({ rigId: randomUUID(), gpuIds: Array.from({ length: GPUS }, randomUUID), offsetMs: (i * INTERVAL_S * 1000) / RIGS }));
  let rows: TelemetryRow[] = [];
  let samples = 0;
  for (let seq = 0; seq < (MINUTES * 60) / INTERVAL_S; seq++) {
    for (const rig of rigs) {
      const at = new Date(start + rig.offsetMs + seq * INTERVAL_S * 1000);
      for (let g = 0; g < GPUS; g++) {
        rows.push({
          rigId: rig.rigId, seq, gpuIndex: g, gpuId: rig.gpuIds[g]!, at, mode: "HASHING", coin: "ETC", workloadId: null,
          hashrateHs: 60.25e6 + g * 1e5 + (seq % 7) * 1e3, tempC: 60 + (seq % 5), powerW: 220.5 + g, fanPct: 55, utilPct: 99, vramUsedMb: 4500,
        });
      }
      if (rows.length >= 2_000) {
        await writer.write(groupTelemetryMessages(rows));
        samples += rows.length;
        rows = [];
      }
    }
  }
  await writer.write(groupTelemetryMessages(rows));
  samples += rows.length;
  await writer.close();

  const db = createDb({ databaseUrl });
  ctx.onCleanup(() => db.$disconnect());
  await db.$executeRawUnsafe(`ANALYZE "TelemetryMessage"`);
  // The window the minute job folds: its lookback of whole minutes, inside the samples written.
  const from = new Date(start + 2 * 60_000);
  const to = new Date(from.getTime() + lookbackMinutes * 60_000);
  const perMinute = RIGS * GPUS * (60 / INTERVAL_S);
  const folded = perMinute * lookbackMinutes;
  const timed = async (run: () => Promise<unknown>) => {
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await run();
      ms.push(performance.now() - t0);
    }
    return percentile(ms, 50);
  };
  note(`folding ${lookbackMinutes} minutes (${folded} samples) as the minute job does, ${RUNS} times; summing hours from minutes; hours from raw; then the baseline`);
  const minuteMs = await timed(() => foldTelemetry(db, { unit: "minute", from, to, maxGapS }));
  // Whole hours, every sample written: the minutes of all of them first, as the minute job leaves them.
  const hours = { from: new Date(start), to: new Date(start + MINUTES * 60_000 + 3_600_000) };
  await foldTelemetry(db, { unit: "minute", ...hours, maxGapS });
  const hourMs = await timed(() => sumMinutesIntoHours(db, hours));
  const hourRawMs = await timed(() => foldTelemetry(db, { unit: "hour", ...hours, maxGapS }));
  const baselineMs = await timed(() => db.$queryRaw`
    SELECT "gpuId", date_trunc('minute', "at", 'UTC') AS bucket, count(*), avg("tempC")
      FROM "TelemetrySample" WHERE "at" >= ${from} AND "at" < ${to} GROUP BY 1, 2`);

  const minuteUs = (minuteMs * 1000) / folded;
  const hourUs = (hourMs * 1000) / samples;
  const hourRawUs = (hourRawMs * 1000) / samples;
  const baselineUs = (baselineMs * 1000) / folded;
  const benchRate = (RIGS * GPUS) / INTERVAL_S;
  // The minute job's fold takes minuteMs every `everyMinutes`; the hour job sums `lookbackHours` hours each hour. Both grow with the rate.
  const minuteJobShare = (rate: number) => (minuteMs / 1000 / (everyMinutes * 60)) * (rate / benchRate);
  const coreShare = (rate: number) => minuteJobShare(rate) + (hourUs * rate * 3_600 * lookbackHours) / 1e6 / 3_600;
  process.stdout.write(
    formatTable(
      ["fold (PostgreSQL)", "samples", "ms (median)", "µs / sample"],
      [
        [`minute job: its ${lookbackMinutes}-minute lookback, every ${everyMinutes} min`, folded, round(minuteMs, 0), round(minuteUs, 2)],
        [`hour job: hours summed from their minutes`, samples, round(hourMs, 0), round(hourUs, 2)],
        [`an hour folded from raw (where minutes are missing)`, samples, round(hourRawMs, 0), round(hourRawUs, 2)],
        ["baseline: read and group per GPU and minute", folded, round(baselineMs, 0), round(baselineUs, 2)],
        ["ratio minute job / baseline", "", "", round(minuteUs / baselineUs, 2)],
      ],
    ),
  );
  for (const rate of RATES) {
    process.stdout.write(`at ${rate} samples/s the minute and hour jobs keep ${round(coreShare(rate), 2)} of a core busy on average (the minute job ${round(minuteJobShare(rate) * 100, 1)} % of one)\n`);
  }
  return {
    samples, minuteFoldUsPerSample: round(minuteUs, 2), hourSumUsPerSample: round(hourUs, 2), hourFromRawUsPerSample: round(hourRawUs, 2),
    baselineUsPerSample: round(baselineUs, 2),
    ratio: round(minuteUs / baselineUs, 2), coresAt8k: round(coreShare(8_000), 2), coresAt150k: round(coreShare(150_000), 2),
  };
});
