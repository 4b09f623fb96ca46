import { Decimal } from "@rigshift/economics";
import { Prisma, type PrismaClient } from "../generated/prisma/client";
import type { Db } from "../client";

export type RollupUnit = "minute" | "hour";

const TABLES: Record<RollupUnit, string> = { minute: "TelemetryMinute", hour: "TelemetryHour" };
export const ROLLUP_UNIT_MS: Record<RollupUnit, number> = { minute: 60_000, hour: 3_600_000 };
const READINGS = ["hashrateHs", "tempC", "powerW", "fanPct", "utilPct"] as const;
const STAT_COLUMNS = READINGS.flatMap((r) => [`${r}Min`, `${r}Max`, `${r}Avg`] as const);
/** Minutes only: how many of their samples had each reading, to weigh their averages into an hour's. */
const COUNT_COLUMNS = READINGS.map((r) => `${r}Count` as const);
/**
 * A fold's time grows with the samples it reads (about 12 µs each on a 2-core box: `npm run bench --
 * rollup`) and with any fold of its unit it waits behind. Prisma's default of 5 s rolled back every
 * fold past that, so the hour job failed from about 400,000 samples (a few dozen rigs) and the ledger,
 * which folds an hour's minutes before booking it, could not book a larger farm at all.
 */
const FOLD_TIMEOUT_MS = 15 * 60_000;

/** Start of the bucket `at` falls in (UTC). */
export const bucketStartOf = (unit: RollupUnit, at: Date) =>
  new Date(Math.floor(at.getTime() / ROLLUP_UNIT_MS[unit]) * ROLLUP_UNIT_MS[unit]);

/**
 * Fold the raw samples of the buckets in [from, to) (rounded down to bucket starts) into
 * `TelemetryMinute` or `TelemetryHour`: one row per GPU, bucket, mode, coin and workload.
 * The buckets' old rows are replaced in one transaction, so running it again (or after late
 * samples landed) gives the same rows.
 *
 * A sample stands for the time until the GPU's next sample, at most `maxGapS` (the ledger's rule,
 * so a silent rig adds nothing), and that interval is split at bucket boundaries: each bucket gets
 * exactly its share of seconds, hashes and energy, in exact decimals (the hashrate and power are
 * read through their shortest text form, as decimal.js reads a JS number), so minutes add up to
 * their hour and the ledger booked from minutes matches one booked from the samples.
 * Samples up to `maxGapS` before `from` can reach into it, and the next sample may lie up to
 * `maxGapS` past `to`, so that much more raw is read on each side.
 *
 * With `rigIds`, only those rigs' GPUs are folded (and their rows replaced): a GPU's rows depend on
 * its own samples alone, and a GPU stays with its rig (a card swapped into the slot keeps the row).
 */
export const foldTelemetry = async (
  db: PrismaClient,
  { unit, from, to, maxGapS, rigIds }: { unit: RollupUnit; from: Date; to: Date; maxGapS: number; rigIds?: string[] },
): Promise<number> => {
  const start = bucketStartOf(unit, from);
  const end = bucketStartOf(unit, to);
  if (end <= start) return 0;
  const scanFrom = new Date(start.getTime() - maxGapS * 1000);
  const scanTo = new Date(end.getTime() + maxGapS * 1000);
  const table = Prisma.raw(`"${TABLES[unit]}"`);
  const step = Prisma.raw(`interval '1 ${unit}'`);
  const rigs = rigIds ?? null;
  // Readings describe the samples taken in the bucket (`own`), not the tails of earlier ones.
  const stats = [
    ...READINGS.flatMap((r) => (["min", "max", "avg"] as const).map((f) => `${f}(p."${r}") FILTER (WHERE p.own)`)),
    ...(unit === "minute" ? READINGS.map((r) => `count(p."${r}") FILTER (WHERE p.own)::int`) : []),
  ].join(", ");
  const statColumns = [...STAT_COLUMNS, ...(unit === "minute" ? COUNT_COLUMNS : [])].map((c) => `"${c}"`).join(", ");
  const [, , , , inserted] = await db.$transaction([
    // Two folds of one unit at once would each delete, then both insert the same keys.
    db.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`rigshift:fold:${unit}`}))`,
    db.$executeRawUnsafe(`SET LOCAL jit = off`),
    db.$executeRawUnsafe(`SET LOCAL work_mem = '64MB'`),
    db.$executeRaw`DELETE FROM ${table} WHERE "bucket" >= ${start} AND "bucket" < ${end} AND (${rigs}::uuid[] IS NULL OR "rigId" = ANY(${rigs}::uuid[]))`,
    db.$executeRaw`
      WITH raw AS (
        SELECT "gpuId", "rigId", "seq", "at", "mode", COALESCE("coin", '') AS coin, COALESCE("workloadId"::text, '') AS "workloadId",
          "hashrateHs", "tempC", "powerW", "fanPct", "utilPct",
          LEAD("at") OVER (PARTITION BY "gpuId" ORDER BY "at", "seq") AS next_at
        FROM "TelemetrySample"
        WHERE "at" >= ${scanFrom} AND "at" < ${scanTo} AND (${rigs}::uuid[] IS NULL OR "rigId" = ANY(${rigs}::uuid[]))
      ), timed AS (
        SELECT *, LEAST(COALESCE(next_at, 'infinity'), "at" + make_interval(secs => ${maxGapS}::float8)) AS until
        FROM raw WHERE "at" < ${end}
      ), pieces AS (
        SELECT t.*, b AS bucket, GREATEST(t."at", b) AS piece_from, LEAST(t.until, b + ${step}) AS piece_to, b = t.own_start AS own
        FROM (SELECT *, date_trunc(${unit}::text, "at", 'UTC') AS own_start FROM timed) t
          CROSS JOIN LATERAL generate_series(t.own_start, t.until, ${step}) b
        WHERE b >= ${start} AND b < ${end}
      ), secs AS (
        SELECT p.*, EXTRACT(EPOCH FROM p.piece_to - p.piece_from) AS s FROM pieces p
        WHERE p.piece_to > p.piece_from OR p.own
      )
      INSERT INTO ${table} ("gpuId", "bucket", "mode", "coin", "workloadId", "rigId", "firstAt", "samples", "seconds", "hashes", "energyWh",
        ${Prisma.raw(statColumns)}, "foldedAt")
      SELECT p."gpuId", p.bucket, p."mode", p.coin, p."workloadId",
        (array_agg(p."rigId" ORDER BY p."at" DESC))[1],
        COALESCE(min(p.piece_from) FILTER (WHERE p.s > 0), min(p.piece_from)),
        count(*) FILTER (WHERE p.own)::int,
        sum(p.s),
        sum(COALESCE(p."hashrateHs"::text::numeric, 0) * p.s),
        sum(COALESCE(p."powerW"::text::numeric, 0) * p.s) / 3600.000000000000000000,
        ${Prisma.raw(stats)}, now()
      FROM secs p
      GROUP BY p."gpuId", p.bucket, p."mode", p.coin, p."workloadId"`,
  ], { timeout: FOLD_TIMEOUT_MS });
  return inserted;
};

/**
 * Hours summed from their minutes, for the GPUs of `rigIds` or all: each hour's rows replaced by
 * the sums of its minutes' (seconds, hashes, energy and samples exactly, as the minutes split
 * them), their smallest minimum and largest maximum, and their averages weighed by how many
 * samples had the reading. What folding the hour's raw samples gives, for a sixtieth of the rows
 * (a GPU reporting every 10 s), so the minutes of [from, to) must be folded first.
 */
export const sumMinutesIntoHours = async (db: PrismaClient, { from, to, rigIds }: { from: Date; to: Date; rigIds?: string[] }): Promise<number> => {
  const start = bucketStartOf("hour", from);
  const end = bucketStartOf("hour", to);
  if (end <= start) return 0;
  const rigs = rigIds ?? null;
  const stats = READINGS.flatMap((r) => [
    `min(m."${r}Min")`, `max(m."${r}Max")`, `sum(m."${r}Avg" * m."${r}Count") / NULLIF(sum(m."${r}Count"), 0)`,
  ]).join(", ");
  const [, , , inserted] = await db.$transaction([
    db.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"rigshift:fold:hour"}))`,
    db.$executeRawUnsafe(`SET LOCAL jit = off`),
    db.$executeRaw`DELETE FROM "TelemetryHour" WHERE "bucket" >= ${start} AND "bucket" < ${end} AND (${rigs}::uuid[] IS NULL OR "rigId" = ANY(${rigs}::uuid[]))`,
    db.$executeRaw`
      INSERT INTO "TelemetryHour" ("gpuId", "bucket", "mode", "coin", "workloadId", "rigId", "firstAt", "samples", "seconds", "hashes", "energyWh",
        ${Prisma.raw(STAT_COLUMNS.map((c) => `"${c}"`).join(", "))}, "foldedAt")
      SELECT m."gpuId", date_trunc('hour', m."bucket", 'UTC'), m."mode", m."coin", m."workloadId",
        (array_agg(m."rigId" ORDER BY m."bucket" DESC))[1],
        COALESCE(min(m."firstAt") FILTER (WHERE m."seconds" > 0), min(m."firstAt")),
        sum(m."samples")::int, sum(m."seconds"), sum(m."hashes"), sum(m."energyWh"),
        ${Prisma.raw(stats)}, now()
      FROM "TelemetryMinute" m
      WHERE m."bucket" >= ${start} AND m."bucket" < ${end} AND (${rigs}::uuid[] IS NULL OR m."rigId" = ANY(${rigs}::uuid[]))
      GROUP BY 1, 2, 3, 4, 5`,
  ], { timeout: FOLD_TIMEOUT_MS });
  return inserted;
};

/**
 * Hours of [from, to) for the GPUs of `rigIds` or all: summed from their minutes where the minute
 * job has folded all of the hour once settled (RollupCoverage), folded from raw samples elsewhere
 * (before the minutes begin, or past where they have got to).
 */
export const foldHours = async (db: PrismaClient, { from, to, maxGapS, rigIds }: { from: Date; to: Date; maxGapS: number; rigIds?: string[] }) => {
  const start = bucketStartOf("hour", from).getTime();
  const end = bucketStartOf("hour", to).getTime();
  if (end <= start) return 0;
  const coverage = await db.rollupCoverage.findUnique({ where: { unit: "minute" } });
  const hour = ROLLUP_UNIT_MS.hour;
  const lo = coverage ? Math.max(start, Math.ceil(coverage.from.getTime() / hour) * hour) : end;
  const hi = coverage ? Math.min(end, bucketStartOf("hour", coverage.to).getTime()) : end;
  const fromRaw = (a: number, b: number) => foldTelemetry(db, { unit: "hour", from: new Date(a), to: new Date(b), maxGapS, rigIds });
  if (lo >= hi) return fromRaw(start, end);
  let rows = 0;
  if (start < lo) rows += await fromRaw(start, lo);
  rows += await sumMinutesIntoHours(db, { from: new Date(lo), to: new Date(hi), rigIds });
  if (hi < end) rows += await fromRaw(hi, end);
  return rows;
};

/**
 * Record that a job folded [from, to) of `unit` after its samples settled (see RollupCoverage):
 * joined to the span already covered when they touch or overlap, else it replaces that span,
 * since a hole lies between them.
 */
export const recordRollupCoverage = async (db: Db, { unit, from, to }: { unit: RollupUnit; from: Date; to: Date }) => {
  if (to <= from) return;
  await db.$executeRaw`
    INSERT INTO "RollupCoverage" ("unit", "from", "to", "updatedAt") VALUES (${unit}, ${from}, ${to}, now())
    ON CONFLICT ("unit") DO UPDATE SET
      "from" = CASE WHEN EXCLUDED."from" <= "RollupCoverage"."to" AND EXCLUDED."to" >= "RollupCoverage"."from"
                    THEN LEAST("RollupCoverage"."from", EXCLUDED."from") ELSE EXCLUDED."from" END,
      "to" = CASE WHEN EXCLUDED."from" <= "RollupCoverage"."to" AND EXCLUDED."to" >= "RollupCoverage"."from"
                  THEN GREATEST("RollupCoverage"."to", EXCLUDED."to") ELSE EXCLUDED."to" END,
      "updatedAt" = now()`;
};

/**
 * Whether the minutes of [from, to) stand as their raw samples would fold now: the minute job folded
 * them once settled, and no late mark reaching them (within `maxGapS`) is waiting to be re-folded.
 */
export const minutesAreCurrent = async (db: Db, { from, to, maxGapS }: { from: Date; to: Date; maxGapS: number }) => {
  const coverage = await db.rollupCoverage.findUnique({ where: { unit: "minute" } });
  if (!coverage || coverage.from > from || coverage.to < to) return false;
  const gapMs = maxGapS * 1000;
  const late = await db.telemetryLate.count({
    where: { from: { lt: new Date(to.getTime() + gapMs) }, to: { gte: new Date(from.getTime() - gapMs) } },
  });
  return late === 0;
};

/** At most this many late marks are folded by one run; the rest wait for the next. */
const LATE_MARKS_PER_RUN = 10_000;

/**
 * Re-fold what the gateway marked late ("TelemetryLate": a rig's spool replayed after a network
 * cut): each marked rig's minutes and hours over the marked span, widened by `maxGapS` on each
 * side, since a late sample is an interval of its own and ends the one of the sample before it.
 * Only buckets up to the newest one of each unit already folded are touched: later ones are the
 * fold jobs' own, and a fold of a few rigs there would read as folded for all.
 * Nothing before `notBefore` is touched: past raw retention the samples may be gone, and a fold
 * there would empty the rollups they left. A mark is deleted once folded only if it still spans
 * what was read: one a late batch widened meanwhile stays for the next run.
 */
export const foldLateTelemetry = async (db: PrismaClient, { maxGapS, now, notBefore }: { maxGapS: number; now: Date; notBefore: Date }) => {
  const marks = await db.telemetryLate.findMany({ orderBy: { markedAt: "asc" }, take: LATE_MARKS_PER_RUN });
  if (marks.length === 0) return { marks: 0, rows: 0 };
  const gapMs = maxGapS * 1000;
  // Spans that overlap are folded together, with all their rigs.
  const spans: { from: number; to: number; rigIds: Set<string> }[] = [];
  for (const m of [...marks].sort((a, b) => a.from.getTime() - b.from.getTime())) {
    const from = Math.max(m.from.getTime() - gapMs, notBefore.getTime());
    const to = m.to.getTime() + gapMs;
    const last = spans.at(-1);
    if (last && from <= last.to) {
      last.to = Math.max(last.to, to);
      last.rigIds.add(m.rigId);
    } else spans.push({ from, to, rigIds: new Set([m.rigId]) });
  }
  let rows = 0;
  for (const unit of ["minute", "hour"] as const) {
    // Folded so far: the span the scheduled runs covered, or the newest bucket with rows (a minute
    // nobody reported in has none, so rows alone can fall short of where the runs got to).
    const last = await findLastFoldedBucket(db, { unit, before: now });
    const covered = await db.rollupCoverage.findUnique({ where: { unit } });
    const foldedTo = Math.max(last ? last.getTime() + ROLLUP_UNIT_MS[unit] : 0, covered?.to.getTime() ?? 0);
    if (foldedTo === 0) continue;
    for (const span of spans) {
      // The bucket `to` falls in is affected too: a fold's end is rounded down to a bucket start.
      const to = Math.min(bucketStartOf(unit, new Date(span.to)).getTime() + ROLLUP_UNIT_MS[unit], foldedTo);
      if (span.from >= to) continue;
      const range = { from: new Date(span.from), to: new Date(to), maxGapS, rigIds: [...span.rigIds] };
      // Minutes first: the hours are summed from them where they can be.
      rows += unit === "minute" ? await foldTelemetry(db, { unit, ...range }) : await foldHours(db, range);
    }
  }
  await db.$executeRaw`
    DELETE FROM "TelemetryLate" l
     USING unnest(${marks.map((m) => m.rigId)}::uuid[], ${marks.map((m) => m.from)}::timestamptz[], ${marks.map((m) => m.to)}::timestamptz[]) AS d("rigId", "from", "to")
     WHERE l."rigId" = d."rigId" AND l."from" = d."from" AND l."to" = d."to"`;
  return { marks: marks.length, rows };
};

type Stats = Record<(typeof STAT_COLUMNS)[number], number | null>;

/** One rollup row: a GPU's time in one mode (and coin or workload) within one bucket. */
export type TelemetryRollupRow = {
  gpuId: string;
  bucket: Date;
  mode: string;
  coin: string | null;
  workloadId: string | null;
  firstAt: Date;
  samples: number;
  seconds: Decimal;
  hashes: Decimal;
  energyWh: Decimal;
} & Stats;

const rollupSelect = {
  gpuId: true, bucket: true, mode: true, coin: true, workloadId: true, firstAt: true, samples: true, seconds: true, hashes: true, energyWh: true,
  ...Object.fromEntries(STAT_COLUMNS.map((c) => [c, true])),
} as const;

type StoredRollup = {
  gpuId: string; bucket: Date; mode: string; coin: string; workloadId: string; firstAt: Date; samples: number;
  seconds: Prisma.Decimal; hashes: Prisma.Decimal; energyWh: Prisma.Decimal;
} & Stats;

const toRollupRow = (r: StoredRollup): TelemetryRollupRow => ({
  ...r,
  coin: r.coin === "" ? null : r.coin,
  workloadId: r.workloadId === "" ? null : r.workloadId,
  seconds: new Decimal(r.seconds.toString()),
  hashes: new Decimal(r.hashes.toString()),
  energyWh: new Decimal(r.energyWh.toString()),
});

/**
 * Rollup rows in [from, to), oldest bucket first (then in the order the bucket's parts began):
 * one GPU's, or every GPU's when `gpuId` is left out.
 */
export const listTelemetryRollups = async (
  db: Db,
  { unit, gpuId, from, to }: { unit: RollupUnit; gpuId?: string; from: Date; to: Date },
): Promise<TelemetryRollupRow[]> => {
  const args = {
    where: { ...(gpuId ? { gpuId } : {}), bucket: { gte: from, lt: to } },
    orderBy: [{ gpuId: "asc" as const }, { bucket: "asc" as const }, { firstAt: "asc" as const }],
    select: rollupSelect,
  };
  const rows = unit === "minute" ? await db.telemetryMinute.findMany(args) : await db.telemetryHour.findMany(args);
  return (rows as StoredRollup[]).map(toRollupRow);
};

/** Newest bucket of a unit folded before `before` (for one GPU, or any), or null: where raw has to take over for a chart, or where a fold job left off. */
export const findLastFoldedBucket = async (db: Db, { unit, gpuId, before }: { unit: RollupUnit; gpuId?: string; before: Date }) => {
  const args = { where: { ...(gpuId ? { gpuId } : {}), bucket: { lt: before } }, orderBy: { bucket: "desc" as const }, select: { bucket: true } };
  const row = unit === "minute" ? await db.telemetryMinute.findFirst(args) : await db.telemetryHour.findFirst(args);
  return row?.bucket ?? null;
};
