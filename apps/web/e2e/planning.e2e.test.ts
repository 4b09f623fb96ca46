// The planning dashboard, end to end: the real stack (gateway, scheduler planning every minute,
// web, six simulated agents) on its own seeded database, driven through Chromium. An operator
// submits AI work and sees it queued, changes a site's power cap, reads the "what if" plan and
// pins a GPU with a manual switch; a viewer sees the same pages without the controls.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { Decimal } from "@rigshift/economics";
import { ZPlanView } from "@rigshift/protocol";
import { useDemoStack } from "./support/demo-stack";

const demo = useDemoStack();
const signIn = (email: string) => demo.signIn(email, { viewport: { width: 1600, height: 1000 } });
const shot = (page: Page, name: string) => demo.shot(page, `planning-${name}`);

const gpuOf = async (rigName: string, index: number) => {
  const rig = demo.farm.rigs.find((r) => r.name === rigName)!;
  return demo.database.db.gpu.findFirstOrThrow({ where: { rigId: rig.id, index }, select: { id: true, vramMb: true } });
};

/** What the page shows for a $/h option: the API's decimal to three places, half-even. */
const shown = (usd: string) => new Decimal(usd).toDecimalPlaces(3, Decimal.ROUND_HALF_EVEN).toFixed(3);

describe("planning dashboard", () => {
  it("lets an operator submit a workload, with errors under the fields, and shows it in the queue", async () => {
    const { context, page } = await signIn("operator@demo.rigshift");
    try {
      await page.getByTestId("nav-workloads").click();
      await page.waitForURL("**/workloads");
      // The seeded queue is there before anything is submitted.
      await expect.poll(() => page.locator('[data-testid^="workload-row-"]').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);

      // Mistakes are named under the field they concern, and nothing is queued.
      await page.getByTestId("workload-name").fill("e2e-embeddings");
      await page.getByTestId("workload-gpusNeeded").fill("two");
      await page.getByTestId("workload-minVramGb").fill("12");
      await page.getByTestId("workload-usdPerGpuHour").fill("0.30");
      await page.getByTestId("workload-submit").click();
      await expect.poll(() => page.getByTestId("workload-customer-error").textContent({ timeout: 2_000 }).catch(() => null)).toBeTruthy();
      expect(await page.getByTestId("workload-gpusNeeded-error").textContent()).toContain("whole number");
      expect(await demo.database.db.aiWorkload.count({ where: { name: "e2e-embeddings" } })).toBe(0);
      await shot(page, "workload-errors");

      await page.getByTestId("workload-customer").fill("Contoso Search");
      await page.getByTestId("workload-gpusNeeded").fill("2");
      await page.getByTestId("workload-expectedHours").fill("3");
      await page.getByTestId("workload-sameRig").check();
      await page.getByTestId("workload-submit").click();
      await expect.poll(() => page.getByTestId("workload-submitted").textContent({ timeout: 2_000 }).catch(() => null), { timeout: 15_000 }).toContain("e2e-embeddings");

      const row = page.locator('[data-testid^="workload-row-"][data-name="e2e-embeddings"]');
      await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(1);
      const cells = await row.locator("td").allTextContents();
      expect(cells).toEqual(expect.arrayContaining(["Contoso Search", "2", "12", "yes", "3", "0.30"]));
      const stored = await demo.database.db.aiWorkload.findFirstOrThrow({ where: { name: "e2e-embeddings" } });
      expect(stored).toMatchObject({ customer: "Contoso Search", gpusNeeded: 2, minVramMb: 12 * 1024, sameRig: true });
      expect(stored.usdPerGpuHour.toString()).toBe("0.3");

      expect(await row.getAttribute("data-status")).toBe("PENDING");
      // After the next plan (about a minute) the row says where it runs, or why it is not placed.
      await expect
        .poll(async () => (await row.getByTestId("workload-placement").count()) > 0 || /^not placed: /.test((await row.getByTestId("workload-unplaced").textContent({ timeout: 1_000 }).catch(() => "")) ?? ""), {
          timeout: 100_000,
          interval: 2_000,
        })
        .toBe(true);
      await shot(page, "workloads");

      // Cancel asks first, then the row leaves the open queue.
      page.once("dialog", (d) => void d.accept());
      await row.getByTestId("workload-cancel").click();
      await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(0);
      expect((await demo.database.db.aiWorkload.findFirstOrThrow({ where: { id: stored.id } })).status).toBe("CANCELLED");
    } finally {
      await context.close();
    }
  });

  it("lets an operator change a site's power cap, refuses a bad one under the field, and keeps the change", async () => {
    const { context, page } = await signIn("operator@demo.rigshift");
    try {
      const boden = await demo.database.db.site.findFirstOrThrow({ where: { name: "Boden" }, select: { id: true } });
      await page.getByTestId("nav-sites").click();
      await page.getByTestId(`site-link-${boden.id}`).click();
      await page.waitForURL(`**/sites/${boden.id}`);

      await page.getByTestId("power-cap").fill("0");
      await page.getByTestId("settings-save").click();
      await expect.poll(() => page.getByTestId("power-cap-error").textContent({ timeout: 2_000 }).catch(() => null)).toContain("positive");

      await page.getByTestId("power-cap").fill("375.5");
      await page.getByTestId("policy-minGainPct").fill("8");
      await page.getByTestId("settings-save").click();
      await expect.poll(() => page.getByTestId("settings-saved").isVisible(), { timeout: 15_000 }).toBe(true);
      const site = await demo.database.db.site.findUniqueOrThrow({ where: { id: boden.id }, select: { powerCapKw: true, plannerPolicy: true } });
      expect(site.powerCapKw.toString()).toBe("375.5");
      expect(site.plannerPolicy).toEqual({ minGainPct: 8 });

      // A server-side refusal is shown too: the site has no price trace to plan with.
      await page.getByTestId("energy-use-trace").click();
      await expect.poll(() => page.getByTestId("energy-source-error").textContent({ timeout: 2_000 }).catch(() => null), { timeout: 15_000 }).toMatch(/no energy price/);

      await page.reload();
      expect(await page.getByTestId("power-cap").inputValue()).toBe("375.5");
      expect(await page.getByTestId("policy-minGainPct").inputValue()).toBe("8");
      await expect.poll(() => page.getByTestId("energy-in-use-tariff").isVisible()).toBe(true);
      await shot(page, "site-settings");
      await page.goto("/sites");
      expect(await page.getByTestId(`site-row-${boden.id}`).getByTestId("site-power-cap").textContent()).toBe("375.5");
    } finally {
      await context.close();
    }
  });

  it("shows what the next plan would change, with every GPU's options, beside the latest recorded plan", async () => {
    const { context, page } = await signIn("operator@demo.rigshift");
    try {
      const gpuCount = await demo.database.db.gpu.count();
      await page.getByTestId("nav-plan").click();
      await page.waitForURL("**/plan");
      // Every GPU is either planned (a row) or left out with a reason (an offline rig, say).
      const planned = async () => (await page.locator('[data-testid^="whatif-row-"]').count()) + Number(await page.getByTestId("whatif-skipped-count").textContent({ timeout: 1_000 }).catch(() => "0"));
      await expect.poll(planned, { timeout: 60_000 }).toBe(gpuCount);
      expect(await page.getByTestId("whatif-gpu-count").textContent()).toBe(String(await page.locator('[data-testid^="whatif-row-"]').count()));

      // Every GPU has an idle figure and a reason; a card that can hash names its best coin.
      const rows = page.locator('[data-testid^="whatif-row-"]');
      for (const text of await rows.getByTestId("whatif-idle-usd").allTextContents()) expect(text).toMatch(/^-?\d+\.\d{3}$/);
      for (const text of await rows.getByTestId("whatif-reason").allTextContents()) expect(text.length).toBeGreaterThan(10);
      const hashCells = await rows.getByTestId("whatif-hash-usd").allTextContents();
      expect(hashCells.some((t) => /^-?\d+\.\d{3}\s*(ETC|RVN|ERG)$/.test(t))).toBe(true);

      // Switches come first, each saying from what to what.
      const changes = Number(await page.getByTestId("whatif-change-count").textContent());
      if (changes > 0) {
        const first = rows.first();
        expect(await first.getAttribute("data-changed")).toBe("true");
        expect(await first.getByTestId("whatif-target").textContent()).toMatch(/^→ (Hash|AI|Idle)/);
      }
      await page.getByTestId("whatif-only-changes").check();
      expect(await rows.count()).toBe(changes);

      // The scheduler records a plan soon after it starts: its time is shown.
      await expect
        .poll(async () => {
          await page.reload();
          // Read it once the page has its answer: on a busy box the fetch outlasts a bare read.
          const latest = page.getByTestId("whatif-latest-plan").filter({ hasNotText: "Loading" });
          await latest.waitFor({ timeout: 30_000 });
          return latest.textContent();
        }, { timeout: 90_000, interval: 3_000 })
        .toMatch(/^Latest recorded plan: /);
      await page.getByTestId("whatif-only-changes").uncheck();
      await shot(page, "what-if");
    } finally {
      await context.close();
    }
  });

  it("shows each GPU's options in the fleet table and pins a manual switch until the time the operator picks", async () => {
    const { context, page } = await signIn("operator@demo.rigshift");
    try {
      const gpu = await gpuOf("amarillo-r01", 4);
      await page.goto("/");
      const row = page.getByTestId(`gpu-row-${gpu.id}`);
      await expect.poll(() => row.getByTestId("gpu-plan").getAttribute("data-target", { timeout: 1_000 }).catch(() => null), { timeout: 90_000 }).toMatch(/HASH|AI|IDLE/);

      // The figures are the latest recorded plan's, rounded for display only.
      await expect
        .poll(async () => {
          const plan = ZPlanView.parse(await (await page.request.get("/api/v1/plans/latest")).json());
          await page.reload();
          const d = plan.decisions.find((x) => x.gpuId === gpu.id)!;
          const idle = await row.getByTestId("gpu-idle-usd").textContent();
          return idle === shown(d.options.idleUsdPerHour) && (!d.options.hash || (await row.getByTestId("gpu-hash-usd").textContent()) === `${shown(d.options.hash.usdPerHour)}${d.options.hash.coin}`);
        }, { timeout: 90_000, interval: 2_000 })
        .toBe(true);

      // A manual switch, pinned until a time picked in the operator's local time (the browser's zone).
      const until = new Date(Date.now() + 2 * 3_600_000);
      until.setSeconds(0, 0);
      const local = await page.evaluate((ms) => {
        const d = new Date(ms);
        const p = (n: number) => String(n).padStart(2, "0");
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
      }, until.getTime());
      expect(await page.getByTestId("pin-choice").inputValue()).toBe("4");
      await page.getByTestId(`gpu-select-${gpu.id}`).check();
      await page.getByTestId("pin-choice").selectOption("until");
      await page.getByTestId("pin-until").fill(local);
      await page.getByTestId("switch-idle").click();
      await expect.poll(() => page.getByTestId("command-status").getAttribute("data-status"), { timeout: 10_000 }).not.toBe("ERROR");
      await expect
        .poll(async () => (await demo.database.db.gpu.findUniqueOrThrow({ where: { id: gpu.id }, select: { pinUntil: true } })).pinUntil?.toISOString() ?? null, { timeout: 10_000 })
        .toBe(until.toISOString());
      await expect.poll(() => row.getByTestId("gpu-pinned").textContent({ timeout: 1_000 }).catch(() => null), { timeout: 20_000 }).toMatch(/^pinned → Idle until/);
      await shot(page, "fleet");

      // The GPU page says so, and the operator can take the pin off.
      await page.goto(`/gpus/${gpu.id}`);
      await expect.poll(() => page.getByTestId("gpu-pin-state").getAttribute("data-pinned"), { timeout: 15_000 }).toBe("true");
      expect(await page.getByTestId("gpu-pin-state").textContent()).toContain("Idle");
      await expect.poll(() => page.getByTestId("gpu-plan-reason").textContent({ timeout: 1_000 }).catch(() => null), { timeout: 30_000 }).toBeTruthy();
      await shot(page, "gpu");
      await page.getByTestId("unpin").click();
      await expect.poll(() => page.getByTestId("gpu-pin-state").getAttribute("data-pinned"), { timeout: 15_000 }).toBe("false");
      expect((await demo.database.db.gpu.findUniqueOrThrow({ where: { id: gpu.id }, select: { pinUntil: true } })).pinUntil).toBeNull();
    } finally {
      await context.close();
    }
  });

  it("shows a viewer the queue, the plan and the settings without the controls", async () => {
    const { context, page } = await signIn("viewer@demo.rigshift");
    try {
      await page.goto("/workloads");
      await expect.poll(() => page.locator('[data-testid^="workload-row-"]').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
      expect(await page.getByTestId("workload-form").count()).toBe(0);
      expect(await page.getByTestId("workload-cancel").count()).toBe(0);
      await shot(page, "viewer-workloads");

      const boden = await demo.database.db.site.findFirstOrThrow({ where: { name: "Boden" }, select: { id: true } });
      await page.goto(`/sites/${boden.id}`);
      expect(await page.getByTestId("settings-read-only").isVisible()).toBe(true);
      expect(await page.getByTestId("power-cap").isDisabled()).toBe(true);
      expect(await page.getByTestId("settings-save").count()).toBe(0);
      expect(await page.getByTestId("tariff-save").count()).toBe(0);

      const gpu = await gpuOf("boden-r01", 0);
      await page.goto(`/gpus/${gpu.id}`);
      await expect.poll(() => page.getByTestId("gpu-pin-state").isVisible({ timeout: 1_000 }).catch(() => false), { timeout: 15_000 }).toBe(true);
      expect(await page.getByTestId("pin-form").count()).toBe(0);
      expect(await page.getByTestId("maintenance-on").count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
