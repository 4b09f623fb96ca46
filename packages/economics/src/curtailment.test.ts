import { describe, expect, it } from "vitest";
import { CURTAILMENT_START, Decimal, stepCurtailment, type CurtailmentRule } from "./index";

const run = (rule: CurtailmentRule, prices: string[]) => {
  let state = CURTAILMENT_START;
  return prices.map((p) => (state = stepCurtailment(rule, state, new Decimal(p))).curtailed);
};

describe("stepCurtailment", () => {
  const rule: CurtailmentRule = { strikePerKwh: new Decimal("0.20"), windowsAbove: 2, windowsBelow: 3, immediatePerKwh: new Decimal("0.50") };

  it("curtails after 2 windows in a row above the strike and resumes after 3 at or below it", () => {
    const prices = ["0.25", "0.15", "0.25", "0.30", "0.15", "0.10", "0.25", "0.10", "0.10", "0.20", "0.10"];
    // 0.25: one above; 0.15 breaks the run; 0.25, 0.30: two in a row → curtail. Then 0.15, 0.10 (two
    // below), 0.25 breaks that run; 0.10, 0.10, and 0.20 (at the strike counts as below) → resume.
    expect(run(rule, prices)).toEqual([false, false, false, true, true, true, true, true, true, false, false]);
  });

  it("curtails at once at the immediate threshold, and not without one", () => {
    expect(run(rule, ["0.10", "0.50", "0.10"])).toEqual([false, true, true]);
    expect(run({ ...rule, immediatePerKwh: null }, ["0.10", "5.00", "0.10"])).toEqual([false, false, false]);
  });

  it("with counts of 0 acts on the first window, and never curtails below the strike", () => {
    const eager: CurtailmentRule = { ...rule, windowsAbove: 0, windowsBelow: 0, immediatePerKwh: null };
    expect(run(eager, ["0.10", "0.21", "0.19", "0.21"])).toEqual([false, true, false, true]);
  });
});
