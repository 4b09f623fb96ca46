import { describe, expect, it } from "vitest";
import { isAllowedStep, planSwitch, restingModeAfterFailure, stepsOf } from "./gpu-machine";

describe("gpu state machine", () => {
  it.each([
    ["HASHING", "AI", ["DRAINING_HASHING", "STARTING_AI", "AI"]],
    ["AI", "HASHING", ["DRAINING_AI", "STARTING_HASHING", "HASHING"]],
    ["HASHING", "IDLE", ["DRAINING_HASHING", "IDLE"]],
    ["AI", "IDLE", ["DRAINING_AI", "IDLE"]],
    ["IDLE", "HASHING", ["STARTING_HASHING", "HASHING"]],
    ["IDLE", "AI", ["STARTING_AI", "AI"]],
    ["HASHING", "HASHING", ["HASHING"]],
    ["IDLE", "IDLE", ["IDLE"]],
  ] as const)("%s → %s goes through %j", (from, to, steps) => {
    expect(stepsOf(planSwitch(from, to))).toEqual(steps);
  });

  it("allows each planned step and nothing that skips the drain", () => {
    for (const from of ["HASHING", "AI", "IDLE"] as const) {
      for (const to of ["HASHING", "AI", "IDLE"] as const) {
        const steps = stepsOf(planSwitch(from, to));
        steps.reduce<string>((prev, step) => {
          if (prev !== step) expect(isAllowedStep(prev as never, step)).toBe(true);
          return step;
        }, from);
      }
    }
    expect(isAllowedStep("HASHING", "STARTING_AI")).toBe(false);
    expect(isAllowedStep("HASHING", "AI")).toBe(false);
    expect(isAllowedStep("AI", "STARTING_HASHING")).toBe(false);
    expect(isAllowedStep("DRAINING_HASHING", "STARTING_HASHING")).toBe(false);
  });

  it("rests a hung drain in the old mode and a failed start idle", () => {
    expect(restingModeAfterFailure("DRAINING_HASHING")).toBe("HASHING");
    expect(restingModeAfterFailure("DRAINING_AI")).toBe("AI");
    expect(restingModeAfterFailure("STARTING_AI")).toBe("IDLE");
    expect(restingModeAfterFailure("STARTING_HASHING")).toBe("IDLE");
  });
});
