// The walking skeleton, end to end: the real stack (gateway, scheduler, web, six simulated
// agents) on free ports with its own seeded database and Redis prefix, driven through Chromium.
// An operator sees live telemetry and switches a GPU to AI; finance downloads a CSV that
// reconciles to the cent with the page.
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useDemoStack } from "./support/demo-stack";

// Without the planner: in the demo site's peak tariff hours hashing loses money and the plan idles
// the GPUs this test watches hash. Planning has its own browser tests (planning.e2e.test.ts).
const demo = useDemoStack({ env: { PLAN_INTERVAL_MS: "0" } });

/** A cell's text, or null while the row is not there. */
const cellText = (page: Page, gpuId: string, testId: string) =>
  page.getByTestId(`gpu-row-${gpuId}`).getByTestId(testId).textContent({ timeout: 1_000 }).catch(() => null);

/** "1,234.56" / "$1,234.56" → cents, exactly (no float). */
const cents = (text: string) => {
  const clean = text.replace(/[$,\s]/g, "");
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(clean);
  if (!match) throw new Error(`not an amount: "${text}"`);
  const value = BigInt(match[2]!) * 100n + BigInt((match[3] ?? "").padEnd(2, "0"));
  return match[1] ? -value : value;
};

/** RFC 4180 rows: quoted fields may hold commas, quotes ("") and line breaks. */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field), rows.push(row), (row = []), (field = "");
    } else field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
};

describe("walking skeleton", () => {
  it("shows an operator the live fleet and switches a GPU to AI", async () => {
    const { context, page } = await demo.signIn("operator@demo.rigshift");
    try {
      await page.goto("/");
      await expect.poll(() => page.locator('[data-testid^="gpu-row-"]').count(), { timeout: 30_000 }).toBeGreaterThan(30);

      // A 24 GB card: fits both demo workloads' VRAM minimum (20,480 MB for the fine-tune).
      const rig = demo.farm.rigs.find((r) => r.name === "boden-r01")!;
      const gpu = await demo.database.db.gpu.findFirstOrThrow({ where: { rigId: rig.id, index: 1 }, select: { id: true, vramMb: true } });
      expect(gpu.vramMb).toBeGreaterThanOrEqual(20_480);

      // Live: once its agent reports, the readings change without a reload.
      const reading = async () => `${await cellText(page, gpu.id, "gpu-hashrate")}|${await cellText(page, gpu.id, "gpu-temp")}`;
      await expect.poll(() => page.getByTestId(`gpu-row-${gpu.id}`).getAttribute("data-mode"), { timeout: 60_000 }).toBe("HASHING");
      await expect.poll(() => cellText(page, gpu.id, "gpu-hashrate"), { timeout: 30_000 }).toMatch(/\d/);
      const before = await reading();
      await expect.poll(reading, { timeout: 15_000, interval: 500 }).not.toBe(before);
      // The rig's line follows its GPUs' live readings, not only the fleet refetch: over two refetch
      // periods a rig reporting every few seconds never reads 20 s or more (it read up to 32 s before).
      const seen = page.getByTestId(`rig-seen-${rig.id}`);
      for (let i = 0; i < 8; i++) {
        expect(await seen.innerText()).toMatch(/^1?\d s ago$/);
        await page.waitForTimeout(4_000);
      }

      await demo.shot(page, "fleet");

      await page.getByTestId(`gpu-select-${gpu.id}`).check();
      await page.getByTestId("switch-ai").click();
      await expect.poll(() => page.getByTestId("command-status").getAttribute("data-status"), { timeout: 10_000 }).not.toBe("ERROR");
      await expect
        .poll(() => page.getByTestId(`gpu-row-${gpu.id}`).getAttribute("data-mode"), { timeout: 60_000, interval: 1_000 })
        .toBe("AI");
      await demo.shot(page, "fleet-after-switch");
    } finally {
      await context.close();
    }
  });

  it("gives finance a CSV that reconciles to the cent with the report page", async () => {
    const { context, page } = await demo.signIn("finance@demo.rigshift", { acceptDownloads: true });
    try {
      // The scheduler books the backfilled hours when it starts: wait until the page shows them
      // and two loads in a row agree (booking may still be under way on the first).
      let lastTotals = "";
      await expect
        .poll(
          async () => {
            await page.goto("/reports");
            const rows = await page.getByTestId("report-row").count();
            if (rows === 0) return "empty";
            const totals = `${await page.getByTestId("report-total-revenue").textContent()}|${await page.getByTestId("report-total-margin").textContent()}`;
            const stable = totals === lastTotals;
            lastTotals = totals;
            return stable ? "stable" : "changing";
          },
          { timeout: 90_000, interval: 2_000 },
        )
        .toBe("stable");
      await demo.shot(page, "reports");

      const pageRevenue = cents((await page.getByTestId("report-total-revenue").textContent())!);
      const pageMargin = cents((await page.getByTestId("report-total-margin").textContent())!);
      const pageEnergy = cents((await page.getByTestId("report-total-energy").textContent())!);
      expect(pageRevenue).toBeGreaterThan(0n);

      const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("report-csv").click()]);
      const rows = parseCsv(await readFile((await download.path())!, "utf8"));
      const [header, ...body] = rows;
      const col = (name: string) => {
        const i = header!.indexOf(name);
        if (i < 0) throw new Error(`CSV has no column ${name}: ${header!.join(",")}`);
        return i;
      };
      const total = body.find((r) => r[col("group")] === "total")!;
      const lines = body.filter((r) => r !== total);
      expect(lines.length).toBe(await page.getByTestId("report-row").count());

      expect(cents(total[col("revenue_usd")]!)).toBe(pageRevenue);
      expect(cents(total[col("margin_usd")]!)).toBe(pageMargin);
      expect(cents(total[col("energy_cost_usd")]!)).toBe(pageEnergy);
      for (const name of ["revenue_usd", "margin_usd", "energy_cost_usd", "hashing_revenue_usd", "ai_revenue_usd"]) {
        const sum = lines.reduce((acc, r) => acc + cents(r[col(name)]!), 0n);
        expect(sum, `${name}: lines add up to the total`).toBe(cents(total[col(name)]!));
      }
      // The backfill had GPUs in AI for hours: the books show it.
      expect(cents(total[col("ai_revenue_usd")]!)).toBeGreaterThan(0n);
    } finally {
      await context.close();
    }
  });
});
