import { type CoinDay, coinUsdPerHsDay, Decimal } from "@rigshift/economics";
import {
  type CreateMarketSourceBody,
  DomainError,
  type EnergyPriceView,
  type ImportResult,
  type MarketQuoteView,
  type MarketSourceView,
  ZCoinSourceMapping,
  ZEnergySourceMapping,
  ZFxSourceMapping,
} from "@rigshift/protocol";
import type { Db, PrismaClient } from "../client";
import type { Prisma } from "../generated/prisma/client";
import { recordAudit, type AuditEntry } from "./audit";

/**
 * Market data: coin quotes and FX rates (MarketQuote), each site's energy price trace
 * (EnergyPrice), and the HTTP sources the scheduler polls for them. Every import is
 * idempotent: a row is unique per (what, time, source), so a file or poll read twice stores
 * nothing twice, and a batch is stored in one statement, whole or not at all.
 */

type Actor = Pick<AuditEntry, "actorType" | "actorId">;

/** A coin quote ready to store: usdPerHsDay given, or derived from price and network figures. */
export type CoinQuoteInput = Omit<CoinDay, "priceUsd"> & { at: Date; line?: number; priceUsd: Decimal | null; usdPerHsDay?: Decimal | null };

const placesOf = (d: Decimal, places: number) => d.toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN).toFixed();

/**
 * Price each quote's revenue per H/s per day with economics' coinUsdPerHsDay. A row it cannot
 * price (no network figure, say) rejects the whole batch, naming the row's line when it has one.
 */
export const priceCoinQuotes = (quotes: CoinQuoteInput[], algorithm: string) =>
  quotes.map((q) => {
    try {
      if (!q.usdPerHsDay && !q.priceUsd) throw new Error("neither usdPerHsDay nor priceUsd");
      const usdPerHsDay = q.usdPerHsDay ?? coinUsdPerHsDay({ ...q, priceUsd: q.priceUsd! }, algorithm);
      return { at: q.at, priceUsd: q.priceUsd ?? new Decimal(0), usdPerHsDay };
    } catch (err) {
      const where = q.line ? `line ${q.line}` : q.at.toISOString();
      throw new DomainError("INVALID_INPUT", `${where}: ${(err as Error).message}`, { line: q.line ?? null, at: q.at.toISOString() });
    }
  });

const importSummary = (rows: { at: Date }[], inserted: number): ImportResult => {
  const times = rows.map((r) => r.at.getTime());
  return {
    rows: rows.length,
    inserted,
    skipped: rows.length - inserted,
    from: rows.length ? new Date(Math.min(...times)).toISOString() : null,
    to: rows.length ? new Date(Math.max(...times)).toISOString() : null,
  };
};

export const importCoinQuotes = async (
  db: Db,
  { coin, algorithm, source, quotes }: { coin: string; algorithm: string; source: string; quotes: CoinQuoteInput[] },
): Promise<ImportResult> => {
  const priced = priceCoinQuotes(quotes, algorithm);
  const created = await db.marketQuote.createMany({
    data: priced.map((q) => ({
      kind: "COIN" as const, symbol: coin, algorithm, at: q.at, source,
      priceUsd: placesOf(q.priceUsd, 12), usdPerHsDay: placesOf(q.usdPerHsDay, 24),
    })),
    skipDuplicates: true,
  });
  return importSummary(priced, created.count);
};

export const importFxQuotes = async (
  db: Db,
  { source, quotes }: { source: string; quotes: { currency: string; at: Date; usdPerUnit: Decimal }[] },
): Promise<ImportResult> => {
  const created = await db.marketQuote.createMany({
    data: quotes.map((q) => ({ kind: "FX" as const, symbol: q.currency, at: q.at, source, priceUsd: placesOf(q.usdPerUnit, 12) })),
    skipDuplicates: true,
  });
  return importSummary(quotes, created.count);
};

export const importEnergyPrices = async (
  db: Db,
  { siteId, source, prices }: { siteId: string; source: string; prices: { at: Date; perMwh: Decimal; currency: string }[] },
): Promise<ImportResult> => {
  const created = await db.energyPrice.createMany({
    data: prices.map((p) => ({ siteId, at: p.at, source, currency: p.currency, perMwh: placesOf(p.perMwh, 8) })),
    skipDuplicates: true,
  });
  return importSummary(prices, created.count);
};

export const listMarketQuotes = async (
  db: Db,
  q: { kind: "COIN" | "FX"; symbol?: string; from?: Date; to?: Date; limit: number },
): Promise<MarketQuoteView[]> => {
  const rows = await db.marketQuote.findMany({
    where: { kind: q.kind, ...(q.symbol ? { symbol: q.symbol } : {}), at: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } },
    orderBy: [{ at: "desc" }, { symbol: "asc" }],
    take: q.limit,
    select: { kind: true, symbol: true, algorithm: true, at: true, priceUsd: true, usdPerHsDay: true, source: true },
  });
  return rows.map((r) => ({ ...r, at: r.at.toISOString(), priceUsd: r.priceUsd.toString(), usdPerHsDay: r.usdPerHsDay?.toString() ?? null }));
};

/** Newest quote of every symbol of a kind at or before `at` (any source). */
export const listLatestQuotes = async (db: Db, kind: "COIN" | "FX", at: Date): Promise<MarketQuoteView[]> => {
  const rows = await db.$queryRaw<{ symbol: string; algorithm: string | null; at: Date; priceUsd: Prisma.Decimal; usdPerHsDay: Prisma.Decimal | null; source: string }[]>`
    SELECT DISTINCT ON ("symbol") "symbol", "algorithm", "at", "priceUsd", "usdPerHsDay", "source"
      FROM "MarketQuote"
     WHERE "kind" = ${kind}::"QuoteKind" AND "at" <= ${at}
     ORDER BY "symbol", "at" DESC, "id" DESC`;
  return rows.map((r) => ({ kind, ...r, at: r.at.toISOString(), priceUsd: r.priceUsd.toString(), usdPerHsDay: r.usdPerHsDay?.toString() ?? null }));
};

export const listEnergyPrices = async (db: Db, siteId: string, q: { from?: Date; to?: Date; limit: number }): Promise<EnergyPriceView[]> => {
  const rows = await db.energyPrice.findMany({
    where: { siteId, at: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } },
    orderBy: [{ at: "desc" }, { source: "asc" }],
    take: q.limit,
    select: { at: true, perMwh: true, currency: true, source: true },
  });
  return rows.map((r) => ({ ...r, at: r.at.toISOString(), perMwh: r.perMwh.toString() }));
};

// HTTP sources.

const sourceSelect = {
  id: true, name: true, kind: true, url: true, symbol: true, algorithm: true, siteId: true, mapping: true,
  enabled: true, lastPolledAt: true, lastOkAt: true, lastError: true, createdAt: true,
} as const;

type SourceRow = Prisma.MarketSourceGetPayload<{ select: typeof sourceSelect }>;

const toSourceView = (s: SourceRow): MarketSourceView => ({
  ...s,
  mapping: (s.mapping ?? {}) as Record<string, unknown>,
  lastPolledAt: s.lastPolledAt?.toISOString() ?? null,
  lastOkAt: s.lastOkAt?.toISOString() ?? null,
  createdAt: s.createdAt.toISOString(),
});

/** The mapping schema of a source kind: a PATCHed mapping is checked against it. */
export const MARKET_SOURCE_MAPPINGS = { COIN: ZCoinSourceMapping, FX: ZFxSourceMapping, ENERGY: ZEnergySourceMapping } as const;

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === "P2002";

export const createMarketSource = (db: PrismaClient, body: CreateMarketSourceBody, actor: Actor) =>
  db.$transaction(async (tx) => {
    if (body.kind === "ENERGY" && !(await tx.site.findUnique({ where: { id: body.siteId }, select: { id: true } }))) {
      throw new DomainError("NOT_FOUND", `no site with id ${body.siteId}`, { siteId: body.siteId });
    }
    const row = await tx.marketSource
      .create({
        data: {
          name: body.name, kind: body.kind, url: body.url, enabled: body.enabled, mapping: body.mapping,
          symbol: body.kind === "COIN" ? body.coin : body.kind === "FX" ? body.currency : null,
          algorithm: body.kind === "COIN" ? body.algorithm : null,
          siteId: body.kind === "ENERGY" ? body.siteId : null,
        },
        select: sourceSelect,
      })
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) throw new DomainError("CONFLICT", `a market source named "${body.name}" exists`, { name: body.name });
        throw err;
      });
    await recordAudit(tx, { ...actor, action: "market-source.created", targetType: "market-source", targetId: row.id, details: { name: body.name, kind: body.kind, url: body.url } });
    return toSourceView(row);
  });

export const listMarketSources = async (db: Db, { enabledOnly = false }: { enabledOnly?: boolean } = {}) =>
  (await db.marketSource.findMany({ where: enabledOnly ? { enabled: true } : {}, orderBy: { name: "asc" }, select: sourceSelect })).map(toSourceView);

export const getMarketSource = async (db: Db, id: string) => {
  const row = await db.marketSource.findUnique({ where: { id }, select: sourceSelect });
  if (!row) throw new DomainError("NOT_FOUND", `no market source with id ${id}`, { sourceId: id });
  return toSourceView(row);
};

export const updateMarketSource = (
  db: PrismaClient,
  id: string,
  patch: { name?: string; url?: string; enabled?: boolean; mapping?: Record<string, unknown> },
  actor: Actor,
) =>
  db.$transaction(async (tx) => {
    const current = await getMarketSource(tx, id);
    let mapping: Prisma.InputJsonObject | undefined;
    if (patch.mapping) {
      const parsed = MARKET_SOURCE_MAPPINGS[current.kind].safeParse(patch.mapping);
      if (!parsed.success) {
        throw new DomainError("INVALID_INPUT", `mapping: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`, { in: "body" });
      }
      mapping = parsed.data as Prisma.InputJsonObject;
    }
    const row = await tx.marketSource
      .update({ where: { id }, data: { name: patch.name, url: patch.url, enabled: patch.enabled, mapping }, select: sourceSelect })
      .catch((err: unknown) => {
        if (isUniqueViolation(err)) throw new DomainError("CONFLICT", `a market source named "${patch.name}" exists`, { name: patch.name });
        throw err;
      });
    await recordAudit(tx, { ...actor, action: "market-source.updated", targetType: "market-source", targetId: id, details: { ...patch, mapping: mapping ?? null } as Prisma.InputJsonObject });
    return toSourceView(row);
  });

/** Removes the source; the quotes it stored stay (they are history). */
export const deleteMarketSource = (db: PrismaClient, id: string, actor: Actor) =>
  db.$transaction(async (tx) => {
    const current = await getMarketSource(tx, id);
    await tx.marketSource.delete({ where: { id } });
    await recordAudit(tx, { ...actor, action: "market-source.deleted", targetType: "market-source", targetId: id, details: { name: current.name } });
  });

/** After a poll: when it ran, and the error if it failed (cleared by the next success). */
export const recordMarketSourcePoll = (db: Db, id: string, { at, error }: { at: Date; error: string | null }) =>
  db.marketSource.updateMany({
    where: { id },
    data: { lastPolledAt: at, ...(error === null ? { lastOkAt: at, lastError: null } : { lastError: error.slice(0, 2000) }) },
  });
