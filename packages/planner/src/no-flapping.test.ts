import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, plan } from "./index";
import { applyPlan, baseInput, etcFor3090, gpu, hashing, IDLE, MIN, seededRandom, T0 } from "./testing/fleet";
import type { GpuSnapshot, PlannerMemory, Target } from "./types";

const IDLE_3090 = -0.025 * 0.05; // 25 W idle at $0.05/kWh: -$0.00125/h

/**
 * One 3090 planned once a minute while ETC's net $/h on it follows `netAt(k)`; the plan is carried
 * out each time. Returns the mode after each plan and how many switches were made.
 */
const simulate = (start: Target, plans: number, netAt: (k: number) => number) => {
  let gpus: GpuSnapshot[] = [gpu("g", { current: start })];
  let memory: PlannerMemory | undefined;
  const modes: string[] = [];
  const reasons: string[] = [];
  let switches = 0;
  for (let k = 0; k < plans; k++) {
    const nowMs = T0 + k * MIN;
    const r = plan(baseInput({ nowMs, gpus, coins: [etcFor3090(netAt(k))], memory }));
    switches += r.commands.reduce((n, c) => n + c.gpuIds.length, 0);
    gpus = applyPlan(gpus, r.decisions, nowMs);
    memory = r.memory;
    modes.push(gpus[0]!.current.mode);
    reasons.push(r.decisions[0]!.reason);
  }
  return { modes, reasons, switches };
};

/** A planner without hysteresis would switch whenever the better side of break-even changes. */
const naiveSwitches = (plans: number, netAt: (k: number) => number) => {
  let n = 0;
  for (let k = 1; k < plans; k++) if (netAt(k) > IDLE_3090 !== netAt(k - 1) > IDLE_3090) n++;
  return n;
};

const DAY = 24 * 60;

describe("no flapping", () => {
  it("does not switch at all when the price wobbles around break-even by less than the minimum gain", () => {
    // ETC swings ±$0.008/h around idling's -$0.00125/h every plan: less than the $0.01/h minimum gain.
    const netAt = (k: number) => IDLE_3090 + (k % 2 === 0 ? 0.008 : -0.008);
    expect(naiveSwitches(DAY, netAt)).toBe(DAY - 1);
    expect(simulate(hashing(), DAY, netAt).switches).toBe(0);
    expect(simulate(IDLE, DAY, netAt).switches).toBe(0);
  });

  it("switches no more than dwell and confirmations allow when the price swings widely around break-even", () => {
    // A noisy day: a slow swing of ±$0.05/h around break-even plus ±$0.04/h of noise every minute.
    const rand = seededRandom(7);
    const series = Array.from({ length: DAY }, (_, k) => IDLE_3090 + 0.05 * Math.sin((2 * Math.PI * k) / 90) + 0.08 * (rand() - 0.5));
    const netAt = (k: number) => series[k]!;
    const { switches, modes } = simulate(hashing(), DAY, netAt);
    // Every return to hashing needs minDwellMin idle and confirmPlans winning plans, so a GPU makes at
    // most one round trip per max(dwell, confirmations) minutes, plus the first exit.
    const bound = 2 * Math.floor(DAY / Math.max(DEFAULT_POLICY.minDwellMin, DEFAULT_POLICY.confirmPlans)) + 1;
    expect(switches).toBeLessThanOrEqual(bound);
    // What an operator notices: far fewer switches than the price crossings, and it still hashes in the good stretches.
    const naive = naiveSwitches(DAY, netAt);
    expect(naive).toBeGreaterThan(200);
    expect(switches).toBeLessThan(naive / 4);
    expect(modes.filter((m) => m === "HASH").length).toBeGreaterThan(DAY / 5);
  });

  it("switches after confirmPlans plans when a change lasts, and leaves a losing coin at once", () => {
    // ETC loses $0.03/h for 100 plans, then earns $0.20/h for 200, then loses $0.10/h.
    const netAt = (k: number) => (k < 100 ? -0.03 : k < 300 ? 0.2 : -0.1);
    const { modes, reasons, switches } = simulate(IDLE, 400, netAt);
    const firstHash = modes.indexOf("HASH");
    expect(firstHash).toBe(100 + DEFAULT_POLICY.confirmPlans - 1);
    expect(reasons[100]).toMatch(/switch waits for 1 of 3 confirming plans/);
    expect(reasons[101]).toMatch(/switch waits for 2 of 3 confirming plans/);
    expect(modes.lastIndexOf("HASH")).toBe(299);
    expect(reasons[300]).toMatch(/without waiting for confirmations/);
    expect(switches).toBe(2);
  });

  it("keeps a new mode for the minimum dwell even when the other side wins every plan", () => {
    // Hashing ETC ($0.10/h) for 5 minutes when a coin on the same algorithm pays $0.30/h: the GPU
    // waits out its 15-minute dwell before changing coin.
    const gpus = [gpu("g", { current: hashing(), sinceMs: T0 - 5 * MIN })];
    const coins = [etcFor3090(0.1), { coin: "ETC2", algorithm: "etchash", usdPerHsDay: etcFor3090(0.3).usdPerHsDay }];
    const r = plan(baseInput({ gpus, coins }));
    expect(r.decisions[0]!.binding).toBe("min-dwell");
    expect(r.decisions[0]!.reason).toMatch(/keeps a mode at least 15 min \(10 min left\)/);
  });
});
