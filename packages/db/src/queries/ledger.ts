import {
  allocateRounded,
  bookGpuHour,
  bookGpuHourFromMinutes,
  Decimal,
  sumDecimals,
  type GpuHourInput,
  type LedgerLine,
  type LedgerSample,
  type Tariff,
} from "@rigshift/economics";
import type { ReportGroupBy, RevenueLine, RevenueReport } from "@rigshift/protocol";
import type { Db, PrismaClient } from "../client";
import { foldTelemetry, listTelemetryRollups, minutesAreCurrent } from "./telemetry-rollups";

/**
 * The books. `bookLedgerHour` turns an hour of telemetry, read from its minute rollups, into
 * immutable ledger rows (one per GPU, hour and kind); reports read only those rows. Amounts are stored with 8 places and
 * rounded to cents once, when a report is made.
 */

const HOUR_MS = 3_600_000;
const STORED_PLACES = 8;

export const hourStartOf = (at: Date) => new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);

type QuoteRow = { symbol: string; priceUsd: Decimal; usdPerHsDay: Decimal | null };

/** Latest quote of each symbol of a kind at or before `at`. */
const latestQuotes = (db: Db, kind: "COIN" | "FX", at: Date) =>
  db.$queryRaw<QuoteRow[]>`
    SELECT DISTINCT ON ("symbol") "symbol", "priceUsd", "usdPerHsDay"
      FROM "MarketQuote"
     WHERE "kind" = ${kind}::"QuoteKind" AND "at" <= ${at}
     ORDER BY "symbol", "at" DESC`;

/** The tariff in force for each site at `at`: the newest one valid from then or earlier. */
const tariffsAt = async (db: Db, at: Date): Promise<Map<string, Tariff>> => {
  const rows = await db.tariff.findMany({
    where: { validFrom: { lte: at } },
    orderBy: [{ siteId: "asc" }, { validFrom: "desc" }],
    select: { siteId: true, basePerKwh: true, windows: { select: { days: true, startMinute: true, endMinute: true, perKwh: true } } },
  });
  const out = new Map<string, Tariff>();
  for (const r of rows) {
    if (out.has(r.siteId)) continue;
    out.set(r.siteId, {
      basePerKwh: new Decimal(r.basePerKwh.toString()),
      windows: r.windows.map((w) => ({ ...w, perKwh: new Decimal(w.perKwh.toString()) })),
    });
  }
  return out;
};

export type BookLedgerHourResult = { hourStart: Date; gpus: number; entries: number; skippedSites: string[] };

/** A ledger row before it is stored: amounts already at the ledger's 8 places. */
export type LedgerRowData = {
  hourStart: Date;
  kind: LedgerLine["kind"];
  siteId: string;
  rigId: string;
  gpuId: string;
  minutes: string;
  quantity: string;
  coin: string | null;
  workloadId: string | null;
  amount: string;
  currency: string;
  amountUsd: string;
};

type HourPrices = Pick<GpuHourInput, "coinUsdPerHsDay" | "workloadUsdPerGpuHour"> & { fx: Map<string, Decimal>; tariffs: Map<string, Tariff> };

/** Everything an hour is priced at: coin values and FX at its end, the tariffs in force at its start. */
const loadHourPrices = async (db: Db, hourStart: Date, workloadIds: string[]): Promise<HourPrices> => {
  const hourEnd = new Date(hourStart.getTime() + HOUR_MS);
  const workloads = await db.aiWorkload.findMany({ where: { id: { in: workloadIds } }, select: { id: true, usdPerGpuHour: true } });
  const coinUsdPerHsDay = new Map(
    (await latestQuotes(db, "COIN", hourEnd))
      .filter((q) => q.usdPerHsDay !== null)
      .map((q) => [q.symbol, new Decimal(q.usdPerHsDay!.toString())]),
  );
  const fx = new Map((await latestQuotes(db, "FX", hourEnd)).map((q) => [q.symbol, new Decimal(q.priceUsd.toString())]));
  fx.set("USD", new Decimal(1));
  return {
    coinUsdPerHsDay,
    workloadUsdPerGpuHour: new Map(workloads.map((w) => [w.id, new Decimal(w.usdPerGpuHour.toString())])),
    fx,
    tariffs: await tariffsAt(db, hourStart),
  };
};

type HourSource<T> = { byGpu: Map<string, T[]>; workloadIds: string[] };
type SiteTerms = Omit<GpuHourInput, "samples" | "maxGapS">;

/** Price each GPU's part of the hour with `book`, skipping (and naming) sites with no FX rate. */
const priceHour = async <T>(
  db: Db,
  hourStart: Date,
  { byGpu, workloadIds }: HourSource<T>,
  book: (terms: SiteTerms, parts: T[]) => LedgerLine[],
) => {
  const prices = await loadHourPrices(db, hourStart, workloadIds);
  const gpus = await db.gpu.findMany({
    where: { id: { in: [...byGpu.keys()] } },
    orderBy: { id: "asc" },
    select: { id: true, rigId: true, rig: { select: { siteId: true, site: { select: { name: true, timezone: true, currency: true } } } } },
  });
  const rows: LedgerRowData[] = [];
  const skippedSites = new Set<string>();
  const round = (d: Decimal) => d.toDecimalPlaces(STORED_PLACES, Decimal.ROUND_HALF_EVEN).toFixed(STORED_PLACES);
  for (const gpu of gpus) {
    const { site, siteId } = gpu.rig;
    const fxUsdPerUnit = prices.fx.get(site.currency);
    if (!fxUsdPerUnit) {
      skippedSites.add(site.name);
      continue;
    }
    const terms: SiteTerms = {
      hourStart, coinUsdPerHsDay: prices.coinUsdPerHsDay, workloadUsdPerGpuHour: prices.workloadUsdPerGpuHour,
      tariff: prices.tariffs.get(siteId) ?? null, timezone: site.timezone, currency: site.currency, fxUsdPerUnit,
    };
    for (const l of book(terms, byGpu.get(gpu.id) ?? [])) {
      rows.push({
        hourStart, kind: l.kind, siteId, rigId: gpu.rigId, gpuId: gpu.id,
        minutes: l.minutes.toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed(4),
        quantity: round(l.quantity), coin: l.coin, workloadId: l.workloadId,
        amount: round(l.amount), currency: l.currency, amountUsd: round(l.amountUsd),
      });
    }
  }
  return { gpus: gpus.length, rows, skippedSites: [...skippedSites] };
};

const groupByGpu = <T extends { gpuId: string }>(items: T[]) => {
  const byGpu = new Map<string, T[]>();
  for (const item of items) {
    let list = byGpu.get(item.gpuId);
    if (!list) byGpu.set(item.gpuId, (list = []));
    list.push(item);
  }
  return byGpu;
};

/** The ledger rows of one hour priced from its minute rollups (fold them first). */
export const priceLedgerHourFromRollups = async (db: Db, { hourStart }: { hourStart: Date }) => {
  const minutes = await listTelemetryRollups(db, { unit: "minute", from: hourStart, to: new Date(hourStart.getTime() + HOUR_MS) });
  const workloadIds = [...new Set(minutes.map((m) => m.workloadId).filter((id): id is string => id !== null))];
  return priceHour(db, hourStart, { byGpu: groupByGpu(minutes), workloadIds }, (terms, parts) => bookGpuHourFromMinutes({ ...terms, minutes: parts }));
};

/**
 * The ledger rows of one hour priced straight from the raw samples, as the ledger did before it
 * read the rollups: kept to check the books against raw telemetry while raw retention holds it.
 */
export const priceLedgerHourFromSamples = async (db: Db, { hourStart, maxGapS }: { hourStart: Date; maxGapS: number }) => {
  const samples = await db.telemetrySample.findMany({
    where: { at: { gte: hourStart, lt: new Date(hourStart.getTime() + HOUR_MS) } },
    orderBy: [{ gpuId: "asc" }, { at: "asc" }, { seq: "asc" }],
    select: { gpuId: true, at: true, mode: true, coin: true, workloadId: true, hashrateHs: true, powerW: true },
  });
  const workloadIds = [...new Set(samples.map((s) => s.workloadId).filter((id): id is string => id !== null))];
  return priceHour(db, hourStart, { byGpu: groupByGpu<LedgerSample & { gpuId: string }>(samples), workloadIds }, (terms, parts) =>
    bookGpuHour({ ...terms, samples: parts, maxGapS }),
  );
};

/**
 * Book one hour (UTC, [hourStart, hourStart + 1 h)) for every GPU that ran in it, from its minute
 * rollups. Minutes the minute job folded once settled, with no late samples waiting, stand as they
 * are (`minutesAreCurrent`); otherwise the hour's minutes are folded here first, so the books never
 * read a stale or missing minute. Folding an hour of a large fleet costs what the minute job does
 * for it, so the common case must not pay it twice.
 * Safe to run again: an hour already booked keeps its rows (unique per GPU, hour, kind; the
 * ledger is append-only). A site whose currency has no FX quote is skipped and named, rather
 * than booked at a made-up rate.
 */
export const bookLedgerHour = async (
  db: PrismaClient,
  { hourStart, maxGapS }: { hourStart: Date; maxGapS: number },
): Promise<BookLedgerHourResult> => {
  const hourEnd = new Date(hourStart.getTime() + HOUR_MS);
  if (!(await minutesAreCurrent(db, { from: hourStart, to: hourEnd, maxGapS }))) {
    await foldTelemetry(db, { unit: "minute", from: hourStart, to: hourEnd, maxGapS });
  }
  const { gpus, rows, skippedSites } = await priceLedgerHourFromRollups(db, { hourStart });
  if (rows.length === 0) return { hourStart, gpus, entries: 0, skippedSites };
  const created = await db.ledgerEntry.createMany({ data: rows, skipDuplicates: true });
  return { hourStart, gpus, entries: created.count, skippedSites };
};

/**
 * Complete hours in [from, until) that have telemetry but no ledger rows yet, oldest first.
 * One probe per hour rather than a scan of every raw row in the window.
 */
export const listUnbookedHours = async (db: Db, { from, until }: { from: Date; until: Date }): Promise<Date[]> => {
  if (until <= from) return [];
  const rows = await db.$queryRaw<{ hour: Date }[]>`
    SELECT h.hour FROM generate_series(date_trunc('hour', ${from}::timestamptz, 'UTC'), ${until}::timestamptz - interval '1 hour', interval '1 hour') AS h(hour)
    WHERE EXISTS (SELECT 1 FROM "TelemetryMessage" s WHERE s."at" >= h.hour AND s."at" < h.hour + interval '1 hour')
      AND NOT EXISTS (SELECT 1 FROM "LedgerEntry" l WHERE l."hourStart" = h.hour)
    ORDER BY h.hour`;
  return rows.map((r) => r.hour);
};

type GroupRow = { key: string; label: string; kind: "HASHING_REVENUE" | "AI_REVENUE" | "ENERGY_COST"; usd: string; kwh: string };

const groupQuery = (db: Db, groupBy: ReportGroupBy, from: Date, to: Date) => {
  switch (groupBy) {
    case "site":
      return db.$queryRaw<GroupRow[]>`
        SELECT s."id"::text AS key, s."name" AS label, l."kind"::text AS kind,
               sum(l."amountUsd")::text AS usd, sum(CASE WHEN l."kind" = 'ENERGY_COST' THEN l."quantity" ELSE 0 END)::text AS kwh
          FROM "LedgerEntry" l JOIN "Site" s ON s."id" = l."siteId"
         WHERE l."hourStart" >= ${from} AND l."hourStart" < ${to}
         GROUP BY 1, 2, 3 ORDER BY 2, 1`;
    case "rig":
      return db.$queryRaw<GroupRow[]>`
        SELECT r."id"::text AS key, s."name" || ' / ' || r."name" AS label, l."kind"::text AS kind,
               sum(l."amountUsd")::text AS usd, sum(CASE WHEN l."kind" = 'ENERGY_COST' THEN l."quantity" ELSE 0 END)::text AS kwh
          FROM "LedgerEntry" l JOIN "Rig" r ON r."id" = l."rigId" JOIN "Site" s ON s."id" = l."siteId"
         WHERE l."hourStart" >= ${from} AND l."hourStart" < ${to}
         GROUP BY 1, 2, 3 ORDER BY 2, 1`;
    case "gpu":
      return db.$queryRaw<GroupRow[]>`
        SELECT g."id"::text AS key, s."name" || ' / ' || r."name" || ' / GPU ' || g."index" || ' ' || g."model" AS label,
               l."kind"::text AS kind,
               sum(l."amountUsd")::text AS usd, sum(CASE WHEN l."kind" = 'ENERGY_COST' THEN l."quantity" ELSE 0 END)::text AS kwh
          FROM "LedgerEntry" l JOIN "Gpu" g ON g."id" = l."gpuId" JOIN "Rig" r ON r."id" = l."rigId" JOIN "Site" s ON s."id" = l."siteId"
         WHERE l."hourStart" >= ${from} AND l."hourStart" < ${to}
         GROUP BY s."name", r."name", g."index", 1, 2, 3 ORDER BY s."name", r."name", g."index"`;
  }
};

/**
 * Revenue, energy cost and margin in USD for the ledger hours starting in [from, to), by site,
 * rig or GPU. Each money column is rounded to the cent once, so that its lines add up exactly to
 * its total; revenue and margin are then sums of the rounded columns, so every row and the total
 * line reconcile to the cent.
 */
export const getRevenueReport = async (
  db: Db,
  { from, to, groupBy }: { from: Date; to: Date; groupBy: ReportGroupBy },
): Promise<RevenueReport> => {
  const rows = await groupQuery(db, groupBy, from, to);
  const groups = new Map<string, { label: string; hashing: Decimal; ai: Decimal; energy: Decimal; kwh: Decimal }>();
  for (const r of rows) {
    let g = groups.get(r.key);
    if (!g) groups.set(r.key, (g = { label: r.label, hashing: new Decimal(0), ai: new Decimal(0), energy: new Decimal(0), kwh: new Decimal(0) }));
    const usd = new Decimal(r.usd);
    if (r.kind === "HASHING_REVENUE") g.hashing = g.hashing.plus(usd);
    if (r.kind === "AI_REVENUE") g.ai = g.ai.plus(usd);
    if (r.kind === "ENERGY_COST") {
      g.energy = g.energy.plus(usd);
      g.kwh = g.kwh.plus(new Decimal(r.kwh));
    }
  }
  const keys = [...groups.keys()];
  const values = [...groups.values()];
  const hashing = allocateRounded(values.map((v) => v.hashing), 2);
  const ai = allocateRounded(values.map((v) => v.ai), 2);
  const energy = allocateRounded(values.map((v) => v.energy), 2);
  const kwh = allocateRounded(values.map((v) => v.kwh), 3);

  const line = (key: string, label: string, h: Decimal, a: Decimal, e: Decimal, k: Decimal): RevenueLine => ({
    key,
    label,
    hashingRevenueUsd: h.toFixed(2),
    aiRevenueUsd: a.toFixed(2),
    revenueUsd: h.plus(a).toFixed(2),
    energyCostUsd: e.toFixed(2),
    marginUsd: h.plus(a).minus(e).toFixed(2),
    energyKwh: k.toFixed(3),
  });
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    groupBy,
    currency: "USD",
    lines: keys.map((key, i) => line(key, values[i]!.label, hashing[i]!, ai[i]!, energy[i]!, kwh[i]!)),
    total: line("total", "Total", sumDecimals(hashing), sumDecimals(ai), sumDecimals(energy), sumDecimals(kwh)),
  };
};
