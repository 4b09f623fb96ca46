import { z } from "zod";
import { Decimal } from "@rigshift/economics";
import type { CoinQuoteInput } from "@rigshift/db";
import { type MarketSourceView, ZCoinSourceMapping, ZEnergySourceMapping, ZFxSourceMapping } from "@rigshift/protocol";
import { readPath } from "./fetch-json";

/**
 * An HTTP market source's document turned into rows through the source's field mapping. One
 * record that does not read (missing time, a price that is not a number) rejects the whole
 * document, naming the record and the field: a poll stores all of it or nothing.
 */

const ZTime = z.union([
  z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
  // Epoch seconds or milliseconds: anything below 1e11 cannot be milliseconds of this century.
  z.number().positive().transform((n) => new Date(n < 1e11 ? n * 1000 : n)),
]);
const ZNumber = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, "expected a number")]).transform((v) => new Decimal(v));

type Mapping = { items?: string; ts: string };

const recordsOf = (doc: unknown, items: string | undefined): unknown[] => {
  const list = items ? readPath(doc, items) : doc;
  if (Array.isArray(list)) return list;
  if (list !== null && typeof list === "object") return [list];
  throw new Error(items ? `mapping.items: "${items}" is not an array or object in the document` : "the document is neither an array nor an object");
};

const field = <T>(record: unknown, index: number, name: string, path: string | undefined, schema: z.ZodType<T>, required: boolean): T | null => {
  if (!path) return null;
  const value = readPath(record, path);
  if (value === undefined || value === null || value === "") {
    if (required) throw new Error(`record ${index}: ${name} ("${path}") is missing`);
    return null;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`record ${index}: ${name} ("${path}"): ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data;
};

const times = <R extends { at: Date }>(doc: unknown, mapping: Mapping, read: (record: unknown, i: number, at: Date) => R): R[] =>
  recordsOf(doc, mapping.items).map((record, i) => read(record, i, field(record, i, "ts", mapping.ts, ZTime, true)!));

export const coinQuotesFromDocument = (doc: unknown, source: MarketSourceView): CoinQuoteInput[] => {
  const m = ZCoinSourceMapping.parse(source.mapping);
  return times(doc, m, (r, i, at) => ({
    at,
    priceUsd: field(r, i, "price", m.price, ZNumber, !m.usdPerHsDay),
    usdPerHsDay: field(r, i, "usdPerHsDay", m.usdPerHsDay, ZNumber, false),
    difficulty: field(r, i, "difficulty", m.difficulty, ZNumber, false),
    networkHashrateHs: field(r, i, "networkHashrate", m.networkHashrate, ZNumber, false),
    blockReward: field(r, i, "blockReward", m.blockReward, ZNumber, false),
    blockTimeS: field(r, i, "blockTimeS", m.blockTimeS, ZNumber, false),
    blocksPerDay: field(r, i, "blocksPerDay", m.blocksPerDay, ZNumber, false),
    issuancePerDay: field(r, i, "issuancePerDay", m.issuancePerDay, ZNumber, false),
  }));
};

export const fxQuotesFromDocument = (doc: unknown, source: MarketSourceView) => {
  const m = ZFxSourceMapping.parse(source.mapping);
  return times(doc, m, (r, i, at) => {
    const usdPerUnit = field(r, i, "usdPerUnit", m.usdPerUnit, ZNumber, true)!;
    if (usdPerUnit.lte(0)) throw new Error(`record ${i}: usdPerUnit must be positive, got ${usdPerUnit.toString()}`);
    return { at, currency: source.symbol!, usdPerUnit };
  });
};

export const energyPricesFromDocument = (doc: unknown, source: MarketSourceView, siteCurrency: string) => {
  const m = ZEnergySourceMapping.parse(source.mapping);
  return times(doc, m, (r, i, at) => ({
    at,
    perMwh: field(r, i, "perMwh", m.perMwh, ZNumber, true)!,
    currency: (field(r, i, "currency", m.currency, z.string().regex(/^[A-Za-z]{3}$/, "expected an ISO currency code"), false) ?? siteCurrency).toUpperCase(),
  }));
};
