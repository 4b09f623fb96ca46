import { Decimal } from "@rigshift/economics";
import { describe, expect, it } from "vitest";
import { buildWorld } from "./load-scenario";
import { ScheduleError, scoreSchedule } from "./replay";
import { ZScenario } from "./scenario-schema";
import { IDLE, aiCode, hashCode, type World } from "./world";

// One GPU on a flat 0.10/kWh tariff, a coin worth exactly 1e-8 USD per H/s per day: figures by hand.
const world = (over: Record<string, unknown> = {}): World =>
  buildWorld(
    ZScenario.parse({
      start: "2026-03-02T00:00:00Z",
      hours: 4,
      stepMinutes: 60,
      sites: [{ id: "s", timezone: "Europe/Copenhagen", currency: "USD", powerCapKw: 1, energy: { tou: [{ days: "daily", from: "00:00", to: "24:00", perKwh: "0.10" }] } }],
      gpuModels: [{ model: "m", vramGb: 24, idleW: 20, aiW: 300, hash: [{ algorithm: "etchash", hs: 100e6, w: 200 }] }],
      rigs: [{ id: "r", site: "s", gpus: [{ model: "m" }] }],
      coins: [{ coin: "ETC", algorithm: "etchash", trace: "coin.csv" }],
      workloads: [{ id: "job", arrival: "2026-03-02T00:00:00Z", gpus: 1, minVramGb: 16, hours: 2, usdPerGpuHour: "0.50" }],
      switch: { hashWarmupMin: 6, aiCheckpointMin: 30 },
      ...over,
    }),
    { name: "hand", readTrace: (path) => ({ path, text: "ts,usd_per_hs_day\n2026-03-02T00:00:00Z,1e-8\n" }) },
  );

describe("the books", () => {
  it("books hashing after its warm-up, energy per kWh, and counts switches", () => {
    const w = world();
    const t = scoreSchedule(w, Int32Array.from([hashCode(w, 0), hashCode(w, 0), IDLE, IDLE]));
    // 100 MH/s × 1e-8 = 1 USD/day; 54 + 60 productive minutes = 114/1440 USD.
    expect(t.hashRevenueUsd.eq(new Decimal(114).div(1440))).toBe(true);
    // 0.2 + 0.2 + 0.02 + 0.02 kWh × 0.10.
    expect(t.energyCostUsd.eq("0.044")).toBe(true);
    expect(t.netUsd.eq(new Decimal(114).div(1440).minus("0.044"))).toBe(true);
    expect(t.switches).toBe(2);
  });

  it("converts energy bought in the site's currency to USD with the scenario's rate", () => {
    const w = world({
      sites: [{ id: "s", timezone: "Europe/Copenhagen", currency: "EUR", powerCapKw: 1, energy: { tou: [{ days: "daily", from: "00:00", to: "24:00", perKwh: "0.10" }] } }],
      fx: { EUR: "1.10" },
    });
    expect(scoreSchedule(w, Int32Array.from([IDLE, IDLE, IDLE, IDLE])).energyCostUsd.eq("0.0088")).toBe(true);
  });

  it("does not pay for AI work lost since the last checkpoint, and redoes it", () => {
    const w = world();
    const job = aiCode(w, 0);
    const t = scoreSchedule(w, Int32Array.from([job, IDLE, job, job]));
    // 60 min worked, 30 lost at the stop, then 60 + 30 to finish: paid for exactly the 2 hours of work.
    expect(t.aiRevenueUsd.eq("1")).toBe(true);
    // 300 Wh, 20 Wh idle, 300 Wh, then 30 min at 300 W and 30 min idle at 20 W = 0.78 kWh.
    expect(t.energyCostUsd.eq("0.078")).toBe(true);
    // Start, stop, restart; the GPU going idle when the job finished is not a switch.
    expect(t.switches).toBe(3);
  });

  it("rejects a schedule that breaks the scenario's physics", () => {
    const w = world({ workloads: [{ id: "job", arrival: "2026-03-02T02:00:00Z", gpus: 1, minVramGb: 16, hours: 2, usdPerGpuHour: "0.50" }] });
    expect(() => scoreSchedule(w, Int32Array.from([aiCode(w, 0), IDLE, IDLE, IDLE]))).toThrow(ScheduleError);
    expect(() => scoreSchedule(w, Int32Array.from([aiCode(w, 0), IDLE, IDLE, IDLE]))).toThrow(/step 0 .*workload job is not open/);
    const curtailed = world({
      sites: [{ id: "s", timezone: "UTC", currency: "USD", powerCapKw: 1, energy: { tou: [{ days: "daily", from: "00:00", to: "24:00", perKwh: "0.50" }] }, curtailment: { strikePerKwh: "0.30" } }],
    });
    expect(() => scoreSchedule(curtailed, Int32Array.from([hashCode(curtailed, 0), IDLE, IDLE, IDLE]))).toThrow(/hashes while site s is curtailed/);
  });

  it("says which step has no time-of-use price", () => {
    expect(() => world({ sites: [{ id: "s", timezone: "UTC", currency: "USD", powerCapKw: 1, energy: { tou: [{ days: "daily", from: "01:00", to: "24:00", perKwh: "0.1" }] } }] })).toThrow(
      /site s: no time-of-use window covers 2026-03-02T00:00:00.000Z .* add energy.basePerKwh/,
    );
  });
});
