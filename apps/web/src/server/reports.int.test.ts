import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RevenueReport } from "@rigshift/protocol";
import { REVENUE_CSV_HEADER } from "./revenue-csv";
import { createTestApi, insertFarm, noParams, readJson, request, type TestApi } from "./testing";

type ErrorBody = { error: { code: string; message: string } };

let t: TestApi;
let farm: Awaited<ReturnType<typeof insertFarm>>;
let finance: string;

const HOUR = 3_600_000;
const day = Date.parse("2026-03-01T00:00:00Z");
const period = "from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z";

/** "12.34" → 1234n: sums in integer cents, so the check itself cannot drift. */
const cents = (s: string) => {
  const [whole, frac = ""] = s.replace("-", "").split(".");
  const v = BigInt(whole!) * 100n + BigInt((frac + "00").slice(0, 2));
  return s.startsWith("-") ? -v : v;
};

beforeAll(async () => {
  t = await createTestApi();
  farm = await insertFarm(t.db);
  finance = (await t.signIn("FINANCE")).cookie;

  // Three hours for each GPU with amounts below the cent, so rounding each line on its own
  // would not add up to the total; plus an hour outside the period that must not count.
  const rows = [];
  const gpus = [
    { g: farm.gpuN0, site: farm.north.id, rig: farm.rigN.id },
    { g: farm.gpuN1, site: farm.north.id, rig: farm.rigN.id },
    { g: farm.gpuS0, site: farm.south.id, rig: farm.rigS.id },
  ];
  for (const [i, { g, site, rig }] of gpus.entries()) {
    for (const h of [0, 1, 2]) {
      const hourStart = new Date(day + (h + 5) * HOUR);
      const base = { hourStart, siteId: site, rigId: rig, gpuId: g.id, minutes: "60", currency: "USD" };
      if (i === 0 && h === 2) {
        rows.push({ ...base, kind: "AI_REVENUE" as const, quantity: "1", amount: "0.40000000", amountUsd: "0.40000000", workloadId: null });
      } else {
        rows.push({ ...base, kind: "HASHING_REVENUE" as const, quantity: "1000", coin: "ETC", amount: "0.33333333", amountUsd: "0.33333333" });
      }
      rows.push({ ...base, kind: "ENERGY_COST" as const, quantity: "0.31234567", amount: "0.03748148", amountUsd: "0.03748148" });
    }
  }
  const outside = { hourStart: new Date(day + 30 * HOUR), siteId: farm.north.id, rigId: farm.rigN.id, gpuId: farm.gpuN0.id, minutes: "60", currency: "USD" };
  rows.push({ ...outside, kind: "HASHING_REVENUE" as const, quantity: "1", amount: "99", amountUsd: "99" });
  await t.db.ledgerEntry.createMany({ data: rows });
});
afterAll(async () => t?.close());

const getJson = async (query: string) => {
  const res = await t.api.revenueReport(request("GET", `/api/v1/reports/revenue?${query}`, { cookie: finance }), noParams);
  expect(res.status).toBe(200);
  return readJson<RevenueReport>(res);
};

const getCsv = async (query: string) => {
  const res = await t.api.revenueReportCsv(request("GET", `/api/v1/reports/revenue.csv?${query}`, { cookie: finance }), noParams);
  expect(res.status).toBe(200);
  return { res, lines: (await res.text()).trimEnd().split("\n").map((l) => l.split(",")) };
};

describe("revenue report", () => {
  it("sums the period's ledger rows by site, in cents that reconcile", async () => {
    const report = await getJson(`${period}&groupBy=site`);
    expect(report.lines.map((l) => l.label)).toEqual(["North", "South"]);
    const north = report.lines[0]!;
    // North: 5 × 0.33333333 hashing + 0.40 AI; 6 × 0.03748148 = 0.2249 energy, South 0.1124.
    // Rounded alone they would be 0.22 + 0.11 ≠ 0.34 (the rounded total): the cent goes to North,
    // the larger remainder, so the lines add up to the total.
    expect(north).toMatchObject({ hashingRevenueUsd: "1.67", aiRevenueUsd: "0.40", energyCostUsd: "0.23" });
    expect(report.lines[1]!.energyCostUsd).toBe("0.11");
    expect(report.total.energyCostUsd).toBe("0.34");
    expect(report.total.revenueUsd).toBe("3.07"); // 8 × 0.33333333 + 0.40 = 3.0666…
    expect(report.total.energyKwh).toBe("2.811"); // 9 × 0.31234567
    const sum = (key: "revenueUsd" | "energyCostUsd" | "marginUsd") => report.lines.reduce((n, l) => n + cents(l[key]), 0n);
    expect(sum("revenueUsd")).toBe(cents(report.total.revenueUsd));
    expect(sum("energyCostUsd")).toBe(cents(report.total.energyCostUsd));
    expect(sum("marginUsd")).toBe(cents(report.total.marginUsd));
  });

  it("exports the same figures as CSV: one row per line, then the total", async () => {
    for (const groupBy of ["site", "rig", "gpu"] as const) {
      const query = `${period}&groupBy=${groupBy}`;
      const report = await getJson(query);
      const { res, lines } = await getCsv(query);
      expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(res.headers.get("content-disposition")).toBe(
        `attachment; filename="rigshift-revenue-by-${groupBy}_2026-03-01T0000Z_2026-03-02T0000Z.csv"`,
      );
      const [header, ...body] = lines;
      expect(header).toEqual([...REVENUE_CSV_HEADER]);
      expect(body).toHaveLength(report.lines.length + 1);
      const asRow = (group: string, l: RevenueReport["total"]) => [
        group, l.key, l.label, l.hashingRevenueUsd, l.aiRevenueUsd, l.revenueUsd, l.energyCostUsd, l.marginUsd, l.energyKwh,
      ];
      expect(body.slice(0, -1)).toEqual(report.lines.map((l) => asRow(groupBy, l)));
      const total = body.at(-1)!;
      expect(total).toEqual(asRow("total", report.total));

      // Each money column of the rows adds up to the total row, to the cent.
      for (let col = 3; col <= 7; col++) {
        const sum = body.slice(0, -1).reduce((n, r) => n + cents(r[col]!), 0n);
        expect(sum, `${groupBy} ${header![col]}`).toBe(cents(total[col]!));
      }
    }
  });

  it("lists one row per GPU when grouped by GPU", async () => {
    const { lines } = await getCsv(`${period}&groupBy=gpu`);
    expect(lines.slice(1, -1).map((r) => r[1])).toEqual([farm.gpuN0.id, farm.gpuN1.id, farm.gpuS0.id]);
  });

  it("is empty, with a zero total, for a period without ledger rows", async () => {
    const report = await getJson("from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z");
    expect(report.lines).toEqual([]);
    expect(report.total.revenueUsd).toBe("0.00");
    const { lines } = await getCsv("from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z");
    expect(lines).toHaveLength(2);
    expect(lines[1]![0]).toBe("total");
  });

  it("rejects a bad query with 400 naming the field", async () => {
    const message = async (query: string, csv = false) => {
      const handler = csv ? t.api.revenueReportCsv : t.api.revenueReport;
      const res = await handler(request("GET", `/api/v1/reports/revenue${csv ? ".csv" : ""}?${query}`, { cookie: finance }), noParams);
      expect(res.status).toBe(400);
      return (await readJson<ErrorBody>(res)).error.message;
    };
    expect(await message("to=2026-03-02T00:00:00Z")).toMatch(/^from: /);
    expect(await message(`${period}&groupBy=planet`)).toMatch(/^groupBy: /);
    expect(await message("from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z")).toMatch(/^to: from must be before to/);
    expect(await message("from=March&to=2026-03-01T00:00:00Z", true)).toMatch(/^from: /);
  });
});
