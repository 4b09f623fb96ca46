import { describe, expect, it } from "vitest";
import type { SiteSettings } from "@rigshift/protocol";
import { toSettingsBody, toSettingsForm, toTariffBody } from "./settings-form";

const site: SiteSettings = {
  siteId: "7d0c9a53-3a8e-4d0e-9f57-1b0c3f5b8e11",
  name: "Boden",
  timezone: "Europe/Stockholm",
  currency: "SEK",
  powerCapKw: "400",
  energySource: "TARIFF",
  curtailment: null,
  policy: { minGainPct: 5 },
  tariff: null,
};

describe("the site settings form", () => {
  it("sends back what it was given, with empty policy fields left to the planner's defaults", () => {
    const r = toSettingsBody(toSettingsForm(site));
    expect(r.errors).toBeNull();
    expect(r.body).toEqual({ powerCapKw: "400", curtailment: null, policy: { minGainPct: 5 } });
  });

  it("turns the curtailment rule and a pre-emption choice into the body", () => {
    const form = { ...toSettingsForm(site), curtail: true, strikePerMwh: "120.5", afterWindows: "2", resumeAfterWindows: "3", allowAiPreemption: "yes" as const };
    expect(toSettingsBody(form).body).toMatchObject({
      curtailment: { strikePerMwh: "120.5", immediatePerMwh: null, afterWindows: 2, resumeAfterWindows: 3 },
      policy: { minGainPct: 5, allowAiPreemption: true },
    });
  });

  it("names each bad field by the API's path", () => {
    const form = { ...toSettingsForm(site), powerCapKw: "0", curtail: true, strikePerMwh: "", afterWindows: "1.5" };
    form.policy = { ...form.policy, confirmPlans: "lots" };
    const r = toSettingsBody(form);
    expect(r.body).toBeNull();
    expect(Object.keys(r.errors ?? {}).sort()).toEqual(["curtailment.afterWindows", "curtailment.strikePerMwh", "policy.confirmPlans", "powerCapKw"]);
  });

  it("points a tariff window that crosses midnight at its end time", () => {
    const r = toTariffBody({ name: "night", basePerKwh: "0.5", windows: [{ days: "daily", from: "22:00", to: "06:00", perKwh: "0.3" }] });
    expect(Object.keys(r.errors ?? {})).toEqual(["windows.0.to"]);
  });
});
