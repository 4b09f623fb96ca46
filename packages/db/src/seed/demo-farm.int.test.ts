import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken, verifyPassword } from "../auth";
import { createTestDatabase, type TestDatabase } from "../testing";
import { seedDemoFarm, type DemoFarm } from "./demo-farm";
import { DEMO_PASSWORD } from "./demo-layout";
import { GPU_MODELS } from "./gpu-models";

const now = new Date("2026-03-02T10:17:30Z");
let test: TestDatabase;
let farm: DemoFarm | null;

beforeAll(async () => {
  test = await createTestDatabase();
  farm = await seedDemoFarm(test.db, { now, enrollmentTokens: { "boden-r01": "rs_enroll_known-token-for-the-test" } });
}, 120_000);
afterAll(() => test?.drop());

describe("seedDemoFarm on an empty database", () => {
  it("makes two sites in two currencies with their tariffs, six rigs and about forty GPUs", async () => {
    const { db } = test;
    expect(farm).not.toBeNull();
    const sites = await db.site.findMany({ include: { tariffs: { include: { windows: true } } }, orderBy: { name: "asc" } });
    expect(sites.map((s) => [s.name, s.currency, s.timezone, s.powerCapKw.toString()])).toEqual([
      ["Amarillo", "USD", "America/Chicago", "250"],
      ["Boden", "SEK", "Europe/Stockholm", "400"],
    ]);
    const boden = sites.find((s) => s.name === "Boden")!;
    expect(boden.tariffs[0]!.basePerKwh.toString()).toBe("0.55");
    expect(boden.tariffs[0]!.windows.map((w) => [w.days, w.startMinute, w.endMinute, w.perKwh.toString()])).toEqual([["mon-fri", 360, 1320, "1.1"]]);
    expect(await db.rig.count()).toBe(6);
    const gpuCount = await db.gpu.count();
    expect(gpuCount).toBeGreaterThanOrEqual(36);
    expect(gpuCount).toBeLessThanOrEqual(44);
    expect(farm!.rigs.map((r) => r.name)).toContain("boden-r01");
    expect(farm!.rigs.reduce((n, r) => n + r.models.length, 0)).toBe(gpuCount);
  });

  it("gives every GPU a known model with its exact VRAM, a bus id, a uuid, a profile, and mixes models per rig", async () => {
    const gpus = await test.db.gpu.findMany({ include: { rig: true } });
    const models = new Set(gpus.map((g) => g.model));
    expect(models).toEqual(new Set(Object.keys(GPU_MODELS)));
    for (const g of gpus) {
      const spec = GPU_MODELS[g.model as keyof typeof GPU_MODELS];
      expect(g.vramMb).toBe(spec.vramMb);
      expect(g.vendor).toBe(spec.vendor);
      expect(g.pciBusId).toMatch(/^0000:[0-9a-f]{2}:00\.0$/);
      expect(g.uuid).toMatch(/^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(g.currentMode).toBe("HASHING");
      expect(g.minerProfileId).not.toBeNull();
    }
    for (const rigId of new Set(gpus.map((g) => g.rigId))) {
      expect(new Set(gpus.filter((g) => g.rigId === rigId).map((g) => g.model)).size).toBeGreaterThan(1);
    }
    expect(await test.db.minerProfile.count()).toBe(3);
  });

  it("makes one login per role that the demo password opens", async () => {
    const users = await test.db.user.findMany({ orderBy: { email: "asc" } });
    expect(users.map((u) => [u.email, u.role])).toEqual([
      ["admin@demo.rigshift", "ADMIN"],
      ["finance@demo.rigshift", "FINANCE"],
      ["operator@demo.rigshift", "OPERATOR"],
      ["viewer@demo.rigshift", "VIEWER"],
    ]);
    expect(await verifyPassword(users[0]!.passwordHash, DEMO_PASSWORD)).toBe(true);
  });

  it("stores only the hash of each rig's one-time enrolment token", async () => {
    const rigs = await test.db.rig.findMany();
    for (const r of farm!.rigs) {
      expect(r.enrollmentToken).toMatch(/^rs_enroll_/);
      expect(rigs.find((row) => row.id === r.id)!.enrollmentTokenHash).toBe(hashToken(r.enrollmentToken));
    }
    expect(farm!.rigs.find((r) => r.name === "boden-r01")!.enrollmentToken).toBe("rs_enroll_known-token-for-the-test");
    expect(new Set(farm!.rigs.map((r) => r.enrollmentToken)).size).toBe(6);
  });

  it("holds two pending AI workloads and 48 h of coin and SEK quotes", async () => {
    const workloads = await test.db.aiWorkload.findMany({ orderBy: { name: "asc" } });
    expect(workloads.map((w) => [w.name, w.customer, w.minVramMb, w.usdPerGpuHour.toString(), w.status])).toEqual([
      ["llama-3-8b-finetune", "Northwind AI", 20480, "0.45", "PENDING"],
      ["sdxl-batch-inference", "Pixelforge", 8192, "0.18", "PENDING"],
    ]);
    const quotes = await test.db.marketQuote.groupBy({ by: ["kind", "symbol"], _count: true, orderBy: { symbol: "asc" } });
    expect(quotes.map((q) => [q.kind, q.symbol, q._count])).toEqual([
      ["COIN", "ERG", 48], ["COIN", "ETC", 48], ["COIN", "RVN", 48], ["FX", "SEK", 48],
    ]);
    const etc = await test.db.marketQuote.findFirstOrThrow({ where: { symbol: "ETC" }, orderBy: { at: "desc" } });
    // Of the order of public calculators: a few hundredths of a cent per MH/s per day.
    const usdPerMhDay = Number(etc.usdPerHsDay) * 1e6;
    expect(usdPerMhDay).toBeGreaterThan(0.0002);
    expect(usdPerMhDay).toBeLessThan(0.005);
    const sek = await test.db.marketQuote.findFirstOrThrow({ where: { symbol: "SEK" } });
    expect(Number(sek.priceUsd)).toBeCloseTo(0.095, 2);
  });

  it("backfills a day of per-minute telemetry per GPU, some of it AI work", async () => {
    const { db } = test;
    const gpuCount = await db.gpu.count();
    expect(await db.telemetrySample.count()).toBe(gpuCount * 1440);
    const range = await db.telemetrySample.aggregate({ _min: { at: true }, _max: { at: true } });
    expect(now.getTime() - range._min.at!.getTime()).toBeLessThanOrEqual(24 * 3_600_000 + 60_000);
    expect(range._max.at!.getTime()).toBeLessThan(now.getTime());
    const ai = await db.telemetrySample.groupBy({ by: ["gpuId", "workloadId"], where: { mode: "AI" }, _count: true });
    expect(ai.length).toBe(2);
    for (const a of ai) {
      expect(a.workloadId).not.toBeNull();
      expect(a._count).toBeGreaterThanOrEqual(4 * 60);
    }
    const hashing = await db.telemetrySample.findFirstOrThrow({ where: { mode: "HASHING" } });
    expect(hashing.coin).toMatch(/^(ETC|RVN|ERG)$/);
    expect(hashing.hashrateHs).toBeGreaterThan(1e7);
    // One seq per rig and tick, ascending with time, below every seq an agent sends.
    const rig = farm!.rigs[0]!;
    const firstTwo = await db.telemetrySample.findMany({ where: { rigId: rig.id, gpuIndex: 0 }, orderBy: { seq: "asc" }, take: 2 });
    expect(firstTwo[0]!.at.getTime()).toBeLessThan(firstTwo[1]!.at.getTime());
    expect((await db.telemetrySample.aggregate({ where: { rigId: rig.id }, _max: { seq: true } }))._max.seq).toBe(-1n);
  });

  it("changes nothing when seeded again", async () => {
    const before = await Promise.all([test.db.user.count(), test.db.rig.count(), test.db.telemetrySample.count(), test.db.marketQuote.count()]);
    expect(await seedDemoFarm(test.db, { now: new Date(now.getTime() + 3_600_000) })).toBeNull();
    const after = await Promise.all([test.db.user.count(), test.db.rig.count(), test.db.telemetrySample.count(), test.db.marketQuote.count()]);
    expect(after).toEqual(before);
  });
});
