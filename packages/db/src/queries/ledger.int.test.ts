import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "@rigshift/economics";
import { createTestDatabase, insertTestFarm, type TestDatabase, type TestFarm } from "../testing";
import { bookLedgerHour, priceLedgerHourFromRollups, priceLedgerHourFromSamples, type LedgerRowData } from "./ledger";
import { insertTelemetrySamples } from "./telemetry";
import { foldTelemetry, recordRollupCoverage } from "./telemetry-rollups";

/**
 * The ledger books from minute rollups; these tests book the same telemetry from the raw samples
 * too (the way the ledger did before) and compare every line.
 */

const MAX_GAP_S = 120;
// Wednesday. Stockholm is at 11:00-12:00 (its 1.00 SEK day window all hour). Kolkata is at
// 15:30-16:30, and its tariff's 16:00-16:45 window starts at 10:30 UTC, inside the hour.
const HOUR = new Date("2026-11-18T10:00:00Z");
const EDGE_HOUR = new Date("2026-11-18T12:00:00Z");
const MIN = 60_000;
let tdb: TestDatabase;
let farm: TestFarm;
let gpus: string[];
const rigOf = new Map<string, string>();

/** A small seeded generator, so the telemetry is irregular but the same on every run. */
const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

type Row = { gpuId: string; at: number; mode: "HASHING" | "AI" | "IDLE"; coin: string | null; workloadId: string | null; hashrateHs: number | null; powerW: number | null };

/** What a GPU does at a moment of the hour: ETC, then RVN, the AI workload, idle, and ETC again (shifted per GPU). */
const planFor = (g: number, at: number): Pick<Row, "mode" | "coin" | "workloadId"> => {
  const minute = (at - HOUR.getTime()) / MIN - g;
  if (minute < 12) return { mode: "HASHING", coin: "ETC", workloadId: null };
  if (minute < 20) return { mode: "HASHING", coin: "RVN", workloadId: null };
  if (minute < 36) return { mode: "AI", coin: null, workloadId: farm.workloadId };
  if (minute < 41) return { mode: "IDLE", coin: null, workloadId: null };
  return { mode: "HASHING", coin: "ETC", workloadId: null };
};

/**
 * Samples from 09:58 to 11:00 every 3-25 s with some holes longer than the gap cap, readings with
 * decimals and the odd missing one, and one sample exactly at 10:00:00, 10:30:00 and 11:00:00: at
 * those edges the two bookings are meant to differ (see the last tests), so no interval crosses them.
 */
const telemetryFor = (g: number, gpuId: string) => {
  const next = random(1000 + g);
  const rows: Row[] = [];
  const fixed = [HOUR.getTime(), HOUR.getTime() + 30 * MIN, HOUR.getTime() + 60 * MIN];
  let at = HOUR.getTime() - 2 * MIN;
  while (at <= HOUR.getTime() + 60 * MIN) {
    const plan = planFor(g, at);
    const r = next();
    rows.push({
      gpuId, at, ...plan,
      hashrateHs: plan.mode === "HASHING" && r > 0.05 ? Math.round((40e6 + g * 7e6 + next() * 1e6) * 1000) / 1000 : null,
      powerW: r < 0.97 ? Math.round((plan.mode === "IDLE" ? 20 : plan.mode === "AI" ? 280 : 110 + g * 20) * 100 + next() * 1000) / 100 : null,
    });
    const hole = next() < 0.03 ? 150_000 : 0;
    let step = 3_000 + Math.floor(next() * 22_000) + hole;
    const edge = fixed.find((f) => at < f && at + step > f);
    if (edge) step = edge - at;
    at += step;
  }
  return rows;
};

const insert = (rows: Row[]) =>
  insertTelemetrySamples(tdb.db, rows.map((r, i) => ({
    ...r, at: new Date(r.at), rigId: rigOf.get(r.gpuId)!, seq: Math.floor(r.at / 1000) * 10 + (i % 10),
    gpuIndex: gpus.indexOf(r.gpuId), tempC: 60, fanPct: 50, utilPct: 90,
  })));

beforeAll(async () => {
  tdb = await createTestDatabase();
  farm = await insertTestFarm(tdb.db);
  const kolkata = await tdb.db.site.create({
    data: {
      name: "Test Kolkata", timezone: "Asia/Kolkata", currency: "USD", powerCapKw: "50",
      tariffs: {
        create: {
          name: "peak", basePerKwh: "0.08", validFrom: new Date("2020-01-01T00:00:00Z"),
          windows: { create: [{ days: "daily", startMinute: 16 * 60, endMinute: 16 * 60 + 45, perKwh: "0.23" }] },
        },
      },
    },
  });
  const rig = await tdb.db.rig.create({ data: { siteId: kolkata.id, name: "rig-k", enrollmentTokenHash: "x" } });
  const kgpus = [];
  for (const index of [0, 1]) {
    kgpus.push((await tdb.db.gpu.create({ data: { rigId: rig.id, index, vendor: "NVIDIA", model: "NVIDIA GeForce RTX 3070", vramMb: 8192 } })).id);
  }
  gpus = [...farm.gpuIds, ...kgpus];
  for (const id of farm.gpuIds) rigOf.set(id, farm.rigId);
  for (const id of kgpus) rigOf.set(id, rig.id);
  await tdb.db.marketQuote.createMany({
    data: [
      { kind: "COIN", symbol: "ETC", algorithm: "etchash", at: new Date("2026-11-18T00:00:00Z"), priceUsd: "20", usdPerHsDay: "0.000000012345", source: "test" },
      { kind: "COIN", symbol: "RVN", algorithm: "kawpow", at: new Date("2026-11-18T00:00:00Z"), priceUsd: "0.02", usdPerHsDay: "0.000000031", source: "test" },
      { kind: "FX", symbol: "SEK", at: new Date("2026-11-18T00:00:00Z"), priceUsd: "0.0937", source: "test" },
    ],
  });
  await insert(gpus.flatMap((id, g) => telemetryFor(g, id)));
});
afterAll(() => tdb.drop());

const sortRows = (rows: LedgerRowData[]) => [...rows].sort((a, b) => `${a.gpuId}${a.kind}`.localeCompare(`${b.gpuId}${b.kind}`));

/**
 * Every field equal, money and quantities to the ledger's 8 places. Minutes (4 places) may differ
 * by one in the last place: the raw booking adds seconds as floats, so a value that lies exactly
 * halfway (ms timestamps make that common: s / 60 has up to 5 decimals) rounds either way by float
 * noise, where the rollups hold exact seconds and round half-even.
 */
const expectSameLines = (booked: LedgerRowData[], raw: LedgerRowData[]) => {
  const a = sortRows(booked);
  const b = sortRows(raw);
  expect(a.map(({ minutes: _, ...rest }) => rest)).toEqual(b.map(({ minutes: _, ...rest }) => rest));
  for (const [i, row] of a.entries()) {
    expect(new Decimal(row.minutes).minus(b[i]!.minutes).abs().toNumber(), `${row.kind} minutes`).toBeLessThanOrEqual(0.0001);
  }
};

describe("ledger from rollups", () => {
  it("books an hour from its minute rollups to the same lines as from its raw samples", async () => {
    const fromSamples = await priceLedgerHourFromSamples(tdb.db, { hourStart: HOUR, maxGapS: MAX_GAP_S });
    const booked = await bookLedgerHour(tdb.db, { hourStart: HOUR, maxGapS: MAX_GAP_S });
    // Every GPU earns, pays for energy, and runs the workload: 4 × 3 lines.
    expect(booked).toMatchObject({ gpus: 4, entries: 12, skippedSites: [] });
    expect(fromSamples.rows).toHaveLength(12);
    const stored = await tdb.db.ledgerEntry.findMany({ where: { hourStart: HOUR } });
    const asData = stored.map((r) => ({
      hourStart: r.hourStart, kind: r.kind, siteId: r.siteId, rigId: r.rigId, gpuId: r.gpuId,
      minutes: r.minutes.toFixed(4), quantity: r.quantity.toFixed(8), coin: r.coin, workloadId: r.workloadId,
      amount: r.amount.toFixed(8), currency: r.currency, amountUsd: r.amountUsd.toFixed(8),
    }));
    expectSameLines(asData, fromSamples.rows);
    // The comparison is not vacuous: both sites' energy, both coins and the workload are in it.
    const kinds = new Set(asData.map((r) => `${r.kind}:${r.currency}:${r.coin ?? r.workloadId ?? ""}`));
    expect(kinds).toEqual(new Set(["HASHING_REVENUE:USD:ETC", "AI_REVENUE:USD:" + farm.workloadId, "ENERGY_COST:SEK:", "ENERGY_COST:USD:"]));
    expect(asData.every((r) => new Decimal(r.amountUsd).gt(0))).toBe(true);
  });

  it("books from the rollups as they stand when the hour was already folded, and not twice", async () => {
    await foldTelemetry(tdb.db, { unit: "minute", from: HOUR, to: new Date(HOUR.getTime() + 60 * MIN), maxGapS: MAX_GAP_S });
    const again = await priceLedgerHourFromRollups(tdb.db, { hourStart: HOUR });
    expectSameLines(again.rows, (await priceLedgerHourFromSamples(tdb.db, { hourStart: HOUR, maxGapS: MAX_GAP_S })).rows);
    expect(await bookLedgerHour(tdb.db, { hourStart: HOUR, maxGapS: MAX_GAP_S })).toMatchObject({ entries: 0 });
    expect(await tdb.db.ledgerEntry.count({ where: { hourStart: HOUR } })).toBe(12);
  });
});

describe("where the rollups book what raw samples could not", () => {
  const kolkata0 = () => gpus[2]!;
  const kolkata1 = () => gpus[3]!;
  const hashingAt = (gpuId: string, at: number): Row => ({ gpuId, at, mode: "HASHING", coin: "ETC", workloadId: null, hashrateHs: 50e6, powerW: 200 });

  beforeAll(async () => {
    // Kolkata GPU 0: 11:59:58, then every 10 s from 12:00:07: the last sample of 11:00 reaches 7 s into 12:00.
    await insert([-2, ...Array.from({ length: 20 }, (_, i) => 7 + i * 10)].map((s) => hashingAt(kolkata0(), EDGE_HOUR.getTime() + s * 1000)));
    // Kolkata GPU 1: 11:14:55, 11:15:05, 11:15:15: the first interval crosses the end of the 16:00-16:45 local window.
    await insert([-5, 5, 15].map((s) => hashingAt(kolkata1(), new Date("2026-11-18T11:15:00Z").getTime() + s * 1000)));
  });

  it("books the seconds the previous hour's last sample stands for past the top of the hour", async () => {
    const raw = await priceLedgerHourFromSamples(tdb.db, { hourStart: EDGE_HOUR, maxGapS: MAX_GAP_S });
    await bookLedgerHour(tdb.db, { hourStart: EDGE_HOUR, maxGapS: MAX_GAP_S });
    const stored = await tdb.db.ledgerEntry.findMany({ where: { hourStart: EDGE_HOUR, gpuId: kolkata0() } });
    const energy = stored.find((r) => r.kind === "ENERGY_COST")!;
    const rawEnergy = raw.rows.find((r) => r.kind === "ENERGY_COST" && r.gpuId === kolkata0())!;
    // From raw: 19 intervals of 10 s and the last sample's 120 s cap = 310 s. The rollups add the
    // 7 s from 11:59:58 to 12:00:07 that booking raw samples hour by hour left out of both hours.
    expect(rawEnergy.minutes).toBe(new Decimal(310).div(60).toFixed(4));
    expect(energy.minutes.toFixed(4)).toBe(new Decimal(317).div(60).toFixed(4));
    // 200 W × 7 s at the 0.08 USD/kWh base price (17:30 local, outside the window).
    const extra = new Decimal(200).times(7).div(3_600_000).times("0.08");
    expect(energy.amountUsd.toFixed(8)).toBe(new Decimal(rawEnergy.amountUsd).plus(extra).toFixed(8));
    expect(stored.find((r) => r.kind === "HASHING_REVENUE")!.quantity.toFixed(8)).toBe(new Decimal(50e6).times(317).toFixed(8));
  });

  it("prices each minute at the tariff in force then, where raw booking priced a whole interval at its start", async () => {
    const hour = new Date("2026-11-18T11:00:00Z");
    const raw = await priceLedgerHourFromSamples(tdb.db, { hourStart: hour, maxGapS: MAX_GAP_S });
    await bookLedgerHour(tdb.db, { hourStart: hour, maxGapS: MAX_GAP_S });
    const stored = await tdb.db.ledgerEntry.findMany({ where: { hourStart: hour } });
    const energyOf = (gpuId: string) => ({
      booked: stored.find((r) => r.kind === "ENERGY_COST" && r.gpuId === gpuId)!,
      raw: raw.rows.find((r) => r.kind === "ENERGY_COST" && r.gpuId === gpuId)!,
    });
    // 11:15:00-11:15:05 is after the 0.23 window (16:45 local): the rollups price those 5 s of 200 W
    // at the 0.08 base, where raw booking charged the window price from 11:14:55 on.
    const k1 = energyOf(kolkata1());
    const saved = new Decimal(200).times(5).div(3_600_000).times(new Decimal("0.23").minus("0.08"));
    expect(k1.booked.amountUsd.toFixed(8)).toBe(new Decimal(k1.raw.amountUsd).minus(saved).toFixed(8));
    expect(k1.booked.minutes.toFixed(4)).toBe(k1.raw.minutes);
    // The other GPUs' 11:00 (the tail of the first data set, which ends on the hour) books the same both ways.
    for (const gpuId of [gpus[0]!, gpus[1]!, kolkata0()]) {
      const e = energyOf(gpuId);
      expect(e.booked.amountUsd.toFixed(8)).toBe(e.raw.amountUsd);
    }
  });
});

describe("an hour the minute job already folded", () => {
  const hashing = (gpuId: string, from: Date, count: number): Row[] =>
    Array.from({ length: count }, (_, i) => ({ gpuId, at: from.getTime() + i * 10_000, mode: "HASHING", coin: "ETC", workloadId: null, hashrateHs: 50e6, powerW: 200 }));
  const hashesBooked = async (hour: Date) =>
    (await tdb.db.ledgerEntry.findMany({ where: { hourStart: hour, kind: "HASHING_REVENUE" } })).map((r) => r.quantity.toFixed(0));

  it("is booked from its minutes as they stand, without folding its raw samples again", async () => {
    // 14:00-14:59:50 every 10 s, folded by the minute job; then the raw samples go (as retention would).
    const hour = new Date("2026-11-18T14:00:00Z");
    await insert(hashing(gpus[0]!, hour, 360));
    await foldTelemetry(tdb.db, { unit: "minute", from: hour, to: new Date(hour.getTime() + 60 * MIN), maxGapS: MAX_GAP_S });
    await recordRollupCoverage(tdb.db, { unit: "minute", from: new Date(hour.getTime() - 60 * MIN), to: new Date(hour.getTime() + 90 * MIN) });
    await tdb.db.telemetryMessage.deleteMany({ where: { at: { gte: hour, lt: new Date(hour.getTime() + 90 * MIN) } } });
    await bookLedgerHour(tdb.db, { hourStart: hour, maxGapS: MAX_GAP_S });
    expect(await hashesBooked(hour)).toEqual([new Decimal(50e6).times(3600).toFixed(0)]);
  });

  it("is folded again first when a late mark reaches it", async () => {
    // 16:00-16:29:50 folded; the rig then replays 16:30-16:59:50, marked late by the gateway.
    const hour = new Date("2026-11-18T16:00:00Z");
    await insert(hashing(gpus[1]!, hour, 180));
    await foldTelemetry(tdb.db, { unit: "minute", from: hour, to: new Date(hour.getTime() + 60 * MIN), maxGapS: MAX_GAP_S });
    await recordRollupCoverage(tdb.db, { unit: "minute", from: hour, to: new Date(hour.getTime() + 90 * MIN) });
    const late = hashing(gpus[1]!, new Date(hour.getTime() + 30 * MIN), 180);
    await insert(late);
    await tdb.db.telemetryLate.create({ data: { rigId: rigOf.get(gpus[1]!)!, from: new Date(late[0]!.at), to: new Date(late.at(-1)!.at) } });
    await bookLedgerHour(tdb.db, { hourStart: hour, maxGapS: MAX_GAP_S });
    expect(await hashesBooked(hour)).toEqual([new Decimal(50e6).times(3600).toFixed(0)]);
  });
});
