import {
  createMarketSource,
  deleteMarketSource,
  importCoinQuotes,
  importEnergyPrices,
  importFxQuotes,
  listEnergyPrices,
  listLatestQuotes,
  listMarketQuotes,
  listMarketSources,
  recordAudit,
  updateMarketSource,
} from "@rigshift/db";
import { Decimal } from "@rigshift/economics";
import { MarketTraceError, parseCoinTrace, parseEnergyTrace } from "@rigshift/market";
import {
  DomainError,
  ZCoinImportQuery,
  ZCreateMarketSourceBody,
  ZEnergyImportQuery,
  ZEnergyPricesQuery,
  ZFxQuotesBody,
  ZMarketQuotesQuery,
  ZUpdateMarketSourceBody,
} from "@rigshift/protocol";
import { authorize, type Caller } from "../auth";
import type { ApiDeps } from "../deps";
import { json, parseBody, parseIdParam, parseQuery, route } from "../http";
import { auditEntryActor as toActor, PLANNING_WRITE } from "./planning-access";

// A month of hourly prices is ~150 kB; 20 MB leaves room for years without letting a client fill memory.
const MAX_CSV_BYTES = 20 * 1024 * 1024;

/** The request body as CSV text; empty or oversized bodies are named errors. */
const readCsv = async (request: Request) => {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_CSV_BYTES) throw new DomainError("INVALID_INPUT", `body: a CSV of at most ${MAX_CSV_BYTES} bytes`, { in: "body" });
  const text = await request.text();
  if (text.length > MAX_CSV_BYTES) throw new DomainError("INVALID_INPUT", `body: a CSV of at most ${MAX_CSV_BYTES} bytes`, { in: "body" });
  if (text.trim() === "") throw new DomainError("INVALID_INPUT", "body: empty; send the CSV file as the request body", { in: "body" });
  return text;
};

/** A trace parser's error names the line: it becomes a 400 with the line and column in details. */
const parsingTrace = <T>(fn: () => T): T => {
  try {
    return fn();
  } catch (err) {
    if (err instanceof MarketTraceError) {
      throw new DomainError("INVALID_INPUT", err.message, { in: "body", line: err.line, column: err.column });
    }
    throw err;
  }
};

/** Market data: coin quotes, FX rates, site energy prices (CSV and JSON imports), and HTTP sources. */
export const marketRoutes = (deps: ApiDeps) => ({
  /** GET /api/v1/market/quotes?kind=COIN|FX&symbol&from&to&limit — newest first. */
  listMarketQuotes: route(deps, async (request) => {
    await authorize(deps, request, "fleet:read");
    const q = parseQuery(request, ZMarketQuotesQuery);
    const quotes = await listMarketQuotes(deps.db, { ...q, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined });
    return json({ quotes });
  }),

  /** GET /api/v1/market/latest — the newest quote of every coin and currency. */
  latestMarket: route(deps, async (request) => {
    await authorize(deps, request, "fleet:read");
    const now = deps.now();
    const [coins, fx] = await Promise.all([listLatestQuotes(deps.db, "COIN", now), listLatestQuotes(deps.db, "FX", now)]);
    return json({ at: now.toISOString(), coins, fx }, 200, { "cache-control": "no-store" });
  }),

  /**
   * POST /api/v1/market/coins/import?coin=ETC&algorithm=etchash[&source=csv] — body: a coin trace CSV
   * (`ts,price_usd,difficulty|network_hashrate_hs,…` or `ts,usd_per_hs_day`). Whole file or nothing.
   */
  importCoinCsv: route(deps, async (request) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    const q = parseQuery(request, ZCoinImportQuery);
    const csv = await readCsv(request);
    const rows = parsingTrace(() => parseCoinTrace(csv, { coin: q.coin, file: "upload" }));
    const result = await importCoinQuotes(deps.db, { coin: q.coin, algorithm: q.algorithm, source: q.source, quotes: rows });
    await recordImport(deps, caller, "market.coins-imported", { coin: q.coin, algorithm: q.algorithm, source: q.source, ...result });
    return json(result, result.inserted > 0 ? 201 : 200);
  }),

  /** POST /api/v1/market/fx — JSON `{ source?, quotes: [{ currency, at, usdPerUnit }] }`. */
  importFx: route(deps, async (request) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    const body = await parseBody(request, ZFxQuotesBody);
    const result = await importFxQuotes(deps.db, {
      source: body.source,
      quotes: body.quotes.map((q) => ({ currency: q.currency, at: new Date(q.at), usdPerUnit: new Decimal(q.usdPerUnit) })),
    });
    await recordImport(deps, caller, "market.fx-imported", { source: body.source, ...result });
    return json(result, result.inserted > 0 ? 201 : 200);
  }),

  /**
   * POST /api/v1/sites/{id}/energy-prices/import[?source=csv&currency=EUR] — body: `ts,price_per_mwh[,currency]`.
   * A file without a currency column is in `currency`, else in the site's currency.
   */
  importEnergyCsv: route(deps, async (request, context) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    const siteId = await parseIdParam(context);
    const q = parseQuery(request, ZEnergyImportQuery);
    const site = await deps.db.site.findUnique({ where: { id: siteId }, select: { currency: true } });
    if (!site) throw new DomainError("NOT_FOUND", `no site with id ${siteId}`, { siteId });
    const csv = await readCsv(request);
    const rows = parsingTrace(() => parseEnergyTrace(csv, { file: "upload" }));
    const result = await importEnergyPrices(deps.db, {
      siteId,
      source: q.source,
      prices: rows.map((r) => ({ at: r.at, perMwh: r.pricePerMwh, currency: r.currency ?? q.currency ?? site.currency })),
    });
    await recordImport(deps, caller, "site.energy-prices-imported", { siteId, source: q.source, ...result });
    return json(result, result.inserted > 0 ? 201 : 200);
  }),

  /** GET /api/v1/sites/{id}/energy-prices?from&to&limit — newest first. */
  listEnergyPrices: route(deps, async (request, context) => {
    await authorize(deps, request, "fleet:read");
    const siteId = await parseIdParam(context);
    const q = parseQuery(request, ZEnergyPricesQuery);
    const prices = await listEnergyPrices(deps.db, siteId, { ...q, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined });
    return json({ siteId, prices });
  }),

  /** GET /api/v1/market/sources */
  listMarketSources: route(deps, async (request) => {
    await authorize(deps, request, "fleet:read");
    return json({ sources: await listMarketSources(deps.db) });
  }),

  /** POST /api/v1/market/sources — 201 the source; the scheduler polls it from its next sweep. */
  createMarketSource: route(deps, async (request) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    const body = await parseBody(request, ZCreateMarketSourceBody);
    const source = await createMarketSource(deps.db, body, toActor(caller));
    return json(source, 201, { location: `/api/v1/market/sources/${source.id}` });
  }),

  /** PATCH /api/v1/market/sources/{id} — name, url, enabled, mapping. */
  updateMarketSource: route(deps, async (request, context) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    const id = await parseIdParam(context);
    const body = await parseBody(request, ZUpdateMarketSourceBody);
    return json(await updateMarketSource(deps.db, id, body, toActor(caller)));
  }),

  /** DELETE /api/v1/market/sources/{id} — 204; the quotes it stored stay. */
  deleteMarketSource: route(deps, async (request, context) => {
    const caller = await authorize(deps, request, PLANNING_WRITE);
    const id = await parseIdParam(context);
    await deleteMarketSource(deps.db, id, toActor(caller));
    return new Response(null, { status: 204 });
  }),
});

const recordImport = (deps: ApiDeps, caller: Caller, action: string, details: Record<string, string | number | null>) =>
  recordAudit(deps.db, { ...toActor(caller), action, targetType: "market", details });
