import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImportResult, MarketQuoteView, MarketSourceView, SiteSettings } from "@rigshift/protocol";
import { createTestApi, insertFarm, noParams, readJson, request, type TestApi, withId } from "./testing";

type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

const FIXTURES = resolve(import.meta.dirname, "../../../../../shared/fixtures/market");
const fixture = (name: string) => readFile(resolve(FIXTURES, name), "utf8");

let t: TestApi;
let farm: Awaited<ReturnType<typeof insertFarm>>;
let viewer: string;
let finance: string;
let operator: string;

beforeAll(async () => {
  t = await createTestApi();
  farm = await insertFarm(t.db);
  viewer = (await t.signIn("VIEWER")).cookie;
  finance = (await t.signIn("FINANCE")).cookie;
  operator = (await t.signIn("OPERATOR")).cookie;
});
afterAll(async () => t?.close());

const importCoins = (csv: string, cookie: string, query = "coin=ETC&algorithm=etchash") =>
  t.api.importCoinCsv(request("POST", `/api/v1/market/coins/import?${query}`, { rawBody: csv, cookie }), noParams);

describe("coin quotes from CSV", () => {
  it("stores a Coin Metrics daily file's ETC rows with their revenue per H/s per day", async () => {
    const res = await importCoins(await fixture("coins_daily_2023-05_2023-06.csv"), operator);
    expect(res.status).toBe(201);
    const body = await readJson<ImportResult>(res);
    // The file holds ETC and XMR, 61 days each: only ETC's are taken.
    expect(body).toMatchObject({ rows: 61, inserted: 61, skipped: 0, from: "2023-05-01T00:00:00.000Z", to: "2023-06-30T00:00:00.000Z" });
    const first = await t.db.marketQuote.findFirstOrThrow({ where: { kind: "COIN", symbol: "ETC", at: new Date("2023-05-01T00:00:00Z") } });
    // 16956.48 ETC issued that day × 19.1994 USD / 119.01 TH/s of network hashrate ≈ 2.7355e-9 USD per H/s per day.
    expect(Number(first.usdPerHsDay)).toBeCloseTo(2.73552e-9, 13);
    expect(first).toMatchObject({ algorithm: "etchash", source: "csv" });
  });

  it("stores nothing twice when the same file comes again", async () => {
    const res = await importCoins(await fixture("coins_daily_2023-05_2023-06.csv"), operator);
    expect(res.status).toBe(200);
    expect(await readJson<ImportResult>(res)).toMatchObject({ rows: 61, inserted: 0, skipped: 61 });
    expect(await t.db.marketQuote.count({ where: { kind: "COIN", symbol: "ETC" } })).toBe(61);
  });

  it("rejects a file with one bad line whole, naming the line, and stores none of it", async () => {
    const csv = "ts,usd_per_hs_day\n2024-01-01T00:00:00Z,0.000000003\n2024-01-02T00:00:00Z,lots\n2024-01-03T00:00:00Z,0.000000004\n";
    const res = await importCoins(csv, operator, "coin=RVN&algorithm=kawpow");
    expect(res.status).toBe(400);
    const body = await readJson<ErrorBody>(res);
    expect(body.error.code).toBe("INVALID_INPUT");
    expect(body.error.message).toMatch(/line 3/);
    expect(await t.db.marketQuote.count({ where: { symbol: "RVN" } })).toBe(0);
  });

  it("rejects a row it cannot price, naming the line", async () => {
    const csv = "ts,price_usd,difficulty\n2024-01-01T00:00:00Z,20,\n";
    const res = await importCoins(csv, operator, "coin=XYZ&algorithm=etchash");
    expect(res.status).toBe(400);
    expect((await readJson<ErrorBody>(res)).error.message).toMatch(/line 2/);
    expect(await t.db.marketQuote.count({ where: { symbol: "XYZ" } })).toBe(0);
  });

  it("names a missing query parameter", async () => {
    const res = await importCoins("ts,usd_per_hs_day\n2024-01-01T00:00:00Z,1\n", operator, "coin=ETC");
    expect(res.status).toBe(400);
    expect((await readJson<ErrorBody>(res)).error.message).toMatch(/algorithm/);
  });

  it("lets neither a viewer nor finance import", async () => {
    for (const cookie of [viewer, finance]) {
      expect((await importCoins("ts,usd_per_hs_day\n2024-01-01T00:00:00Z,1\n", cookie, "coin=AAA&algorithm=etchash")).status).toBe(403);
    }
    expect(await t.db.marketQuote.count({ where: { symbol: "AAA" } })).toBe(0);
  });
});

describe("FX rates", () => {
  it("stores rates once and serves the newest of each currency", async () => {
    const body = { source: "ecb", quotes: [
      { currency: "EUR", at: "2023-05-01T00:00:00Z", usdPerUnit: "1.10" },
      { currency: "EUR", at: "2023-05-02T00:00:00Z", usdPerUnit: "1.12" },
      { currency: "SEK", at: "2023-05-01T00:00:00Z", usdPerUnit: "0.097" },
    ] };
    const first = await t.api.importFx(request("POST", "/api/v1/market/fx", { body, cookie: operator }), noParams);
    expect(await readJson<ImportResult>(first)).toMatchObject({ inserted: 3 });
    const again = await t.api.importFx(request("POST", "/api/v1/market/fx", { body, cookie: operator }), noParams);
    expect(await readJson<ImportResult>(again)).toMatchObject({ inserted: 0, skipped: 3 });

    const latest = await readJson<{ fx: MarketQuoteView[]; coins: MarketQuoteView[] }>(await t.api.latestMarket(request("GET", "/api/v1/market/latest", { cookie: viewer }), noParams));
    expect(latest.fx.find((q) => q.symbol === "EUR")?.priceUsd).toBe("1.12");
    expect(latest.coins.find((q) => q.symbol === "ETC")?.at).toBe("2023-06-30T00:00:00.000Z");
  });

  it("names a bad rate", async () => {
    const res = await t.api.importFx(
      request("POST", "/api/v1/market/fx", { body: { quotes: [{ currency: "eur", at: "2023-05-01T00:00:00Z", usdPerUnit: "-1" }] }, cookie: operator }),
      noParams,
    );
    expect(res.status).toBe(400);
    const message = (await readJson<ErrorBody>(res)).error.message;
    expect(message).toMatch(/quotes\.0\.currency/);
    expect(message).toMatch(/quotes\.0\.usdPerUnit/);
  });

  it("lists quotes of a kind and symbol, newest first", async () => {
    const res = await t.api.listMarketQuotes(request("GET", "/api/v1/market/quotes?kind=FX&symbol=eur", { cookie: viewer }), noParams);
    const { quotes } = await readJson<{ quotes: MarketQuoteView[] }>(res);
    expect(quotes.map((q) => q.priceUsd)).toEqual(["1.12", "1.1"]);
  });
});

describe("site energy prices", () => {
  it("imports a wholesale trace once per source and lists it", async () => {
    const csv = await fixture("electricity_pjm_western_hub_rt_hourly_2025-05_2025-06.csv");
    const path = `/api/v1/sites/${farm.north.id}/energy-prices/import?source=pjm`;
    const first = await t.api.importEnergyCsv(request("POST", path, { rawBody: csv, cookie: operator }), withId(farm.north.id));
    expect(first.status).toBe(201);
    expect(await readJson<ImportResult>(first)).toMatchObject({ rows: 1464, inserted: 1464 });
    const again = await t.api.importEnergyCsv(request("POST", path, { rawBody: csv, cookie: operator }), withId(farm.north.id));
    expect(await readJson<ImportResult>(again)).toMatchObject({ inserted: 0, skipped: 1464 });

    const list = await t.api.listEnergyPrices(
      request("GET", `/api/v1/sites/${farm.north.id}/energy-prices?from=2025-05-01T04:00:00Z&to=2025-05-01T06:00:00Z`, { cookie: viewer }),
      withId(farm.north.id),
    );
    // The file's first two hours, verbatim, newest first, in the file's currency.
    expect((await readJson<{ prices: unknown[] }>(list)).prices).toEqual([
      { at: "2025-05-01T05:00:00.000Z", perMwh: "27.614133", currency: "USD", source: "pjm" },
      { at: "2025-05-01T04:00:00.000Z", perMwh: "24.784737", currency: "USD", source: "pjm" },
    ]);
  });

  it("rejects a trace with a bad price, naming the line, and 404s an unknown site", async () => {
    const bad = "ts,price_per_mwh\n2025-01-01T00:00:00Z,10\n2025-01-01T01:00:00Z,\n";
    const res = await t.api.importEnergyCsv(request("POST", `/api/v1/sites/${farm.south.id}/energy-prices/import`, { rawBody: bad, cookie: operator }), withId(farm.south.id));
    expect(res.status).toBe(400);
    expect((await readJson<ErrorBody>(res)).error.message).toMatch(/line 3/);
    expect(await t.db.energyPrice.count({ where: { siteId: farm.south.id } })).toBe(0);
    const unknown = "00000000-0000-4000-8000-000000000000";
    const missing = await t.api.importEnergyCsv(request("POST", `/api/v1/sites/${unknown}/energy-prices/import`, { rawBody: bad, cookie: operator }), withId(unknown));
    expect(missing.status).toBe(404);
  });
});

describe("site planning settings", () => {
  const patch = (body: unknown, cookie = operator) =>
    t.api.updateSiteSettings(request("PATCH", `/api/v1/sites/${farm.north.id}/settings`, { body, cookie }), withId(farm.north.id));

  it("changes the power cap, energy source, curtailment rule and policy, and audits before and after", async () => {
    const res = await patch({
      powerCapKw: "42.5",
      energySource: "TRACE",
      curtailment: { strikePerMwh: "150", immediatePerMwh: "500", afterWindows: 2 },
      policy: { confirmPlans: 1, minDwellMin: 0 },
    });
    expect(res.status).toBe(200);
    const settings = await readJson<SiteSettings>(res);
    expect(settings).toMatchObject({
      powerCapKw: "42.5",
      energySource: "TRACE",
      curtailment: { strikePerMwh: "150", immediatePerMwh: "500", afterWindows: 2, resumeAfterWindows: 1 },
      policy: { confirmPlans: 1, minDwellMin: 0 },
    });
    const read = await readJson<SiteSettings>(await t.api.getSiteSettings(request("GET", `/api/v1/sites/${farm.north.id}/settings`, { cookie: viewer }), withId(farm.north.id)));
    expect(read).toEqual(settings);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "site.settings-updated", targetId: farm.north.id } });
    expect(audit.details).toMatchObject({ before: { powerCapKw: "50", curtailment: null }, after: { powerCapKw: "42.5" } });
  });

  it("removes the curtailment rule with null", async () => {
    const settings = await readJson<SiteSettings>(await patch({ curtailment: null }));
    expect(settings.curtailment).toBeNull();
    expect(settings.policy).toEqual({ confirmPlans: 1, minDwellMin: 0 });
  });

  it("names unknown policy keys and bad values, and changes nothing", async () => {
    const res = await patch({ policy: { confirmPlans: 0, flapLess: true } });
    expect(res.status).toBe(400);
    const message = (await readJson<ErrorBody>(res)).error.message;
    expect(message).toMatch(/policy\.confirmPlans/);
    expect(message).toMatch(/flapLess/);
    const empty = await patch({});
    expect(empty.status).toBe(400);
  });

  it("refuses the tariff as energy source while the site has none, then takes a tariff", async () => {
    const refused = await patch({ energySource: "TARIFF" });
    expect(refused.status).toBe(400);
    expect((await readJson<ErrorBody>(refused)).error.message).toMatch(/no tariff/);

    const tariff = { name: "Winter TOU", basePerKwh: "0.08", validFrom: "2025-01-01T00:00:00Z", windows: [{ days: "mon-fri", from: "07:00", to: "22:00", perKwh: "0.14" }] };
    const put = await t.api.setSiteTariff(request("PUT", `/api/v1/sites/${farm.north.id}/tariff`, { body: tariff, cookie: operator }), withId(farm.north.id));
    expect(put.status).toBe(201);
    expect(await readJson(put)).toMatchObject({ name: "Winter TOU", basePerKwh: "0.08", windows: [{ days: "mon-fri", from: "07:00", to: "22:00", perKwh: "0.14" }] });
    expect((await readJson<SiteSettings>(await patch({ energySource: "TARIFF" }))).tariff?.name).toBe("Winter TOU");
  });

  it("names a bad tariff window", async () => {
    const bad = { name: "x", basePerKwh: "0.1", windows: [{ days: "mon-fry", from: "07:00", to: "22:00", perKwh: "0.2" }, { days: "sat", from: "23:00", to: "02:00", perKwh: "0.2" }] };
    const res = await t.api.setSiteTariff(request("PUT", `/api/v1/sites/${farm.north.id}/tariff`, { body: bad, cookie: operator }), withId(farm.north.id));
    expect(res.status).toBe(400);
    expect((await readJson<ErrorBody>(res)).error.message).toMatch(/windows\.1\.to/);
    const res2 = await t.api.setSiteTariff(request("PUT", `/api/v1/sites/${farm.north.id}/tariff`, { body: { ...bad, windows: [bad.windows[0]] }, cookie: operator }), withId(farm.north.id));
    expect((await readJson<ErrorBody>(res2)).error.message).toMatch(/windows\.0\.days.*mon-fry/);
  });

  it("lets neither a viewer nor finance change settings", async () => {
    expect((await patch({ powerCapKw: "1" }, viewer)).status).toBe(403);
    expect((await patch({ powerCapKw: "1" }, finance)).status).toBe(403);
    const site = await t.db.site.findUniqueOrThrow({ where: { id: farm.north.id } });
    expect(site.powerCapKw.toString()).toBe("42.5");
  });
});

describe("HTTP market sources", () => {
  it("creates, lists, updates and deletes a source, checking the mapping against its kind", async () => {
    const body = { kind: "COIN", name: "pool stats", url: "http://127.0.0.1:9/etc.json", coin: "ETC", algorithm: "etchash", mapping: { ts: "time", price: "price", networkHashrate: "hashrate" } };
    const created = await t.api.createMarketSource(request("POST", "/api/v1/market/sources", { body, cookie: operator }), noParams);
    expect(created.status).toBe(201);
    const source = await readJson<MarketSourceView>(created);
    expect(source).toMatchObject({ kind: "COIN", symbol: "ETC", algorithm: "etchash", enabled: true, lastError: null });

    const dup = await t.api.createMarketSource(request("POST", "/api/v1/market/sources", { body, cookie: operator }), noParams);
    expect(dup.status).toBe(409);
    const incomplete = await t.api.createMarketSource(
      request("POST", "/api/v1/market/sources", { body: { ...body, name: "other", mapping: { ts: "time", price: "price" } }, cookie: operator }),
      noParams,
    );
    expect(incomplete.status).toBe(400);
    expect((await readJson<ErrorBody>(incomplete)).error.message).toMatch(/usdPerHsDay, or price with difficulty or networkHashrate/);

    const badPatch = await t.api.updateMarketSource(request("PATCH", `/api/v1/market/sources/${source.id}`, { body: { mapping: { ts: "t", perMwh: "p" } }, cookie: operator }), withId(source.id));
    expect(badPatch.status).toBe(400);
    const patched = await t.api.updateMarketSource(request("PATCH", `/api/v1/market/sources/${source.id}`, { body: { enabled: false }, cookie: operator }), withId(source.id));
    expect(await readJson(patched)).toMatchObject({ enabled: false });

    const list = await readJson<{ sources: MarketSourceView[] }>(await t.api.listMarketSources(request("GET", "/api/v1/market/sources", { cookie: viewer }), noParams));
    expect(list.sources.map((s) => s.name)).toEqual(["pool stats"]);
    expect((await t.api.deleteMarketSource(request("DELETE", `/api/v1/market/sources/${source.id}`, { cookie: viewer }), withId(source.id))).status).toBe(403);
    expect((await t.api.deleteMarketSource(request("DELETE", `/api/v1/market/sources/${source.id}`, { cookie: operator }), withId(source.id))).status).toBe(204);
    expect(await t.db.marketSource.count()).toBe(0);
    expect(await t.db.auditLog.count({ where: { targetType: "market-source" } })).toBe(3);
  });
});
