import { describe, expect, it } from "vitest";
import { heapGrowingPercent } from "./heap-slack";

describe("heap growth for a slack of 100 MB", () => {
  it("lets a gateway with 200 MB live grow by half, not double", () => {
    expect(heapGrowingPercent(200, { slackMb: 100 })).toBe(50);
  });

  it("never lets a large heap collect on every allocation: at least 20 %", () => {
    expect(heapGrowingPercent(2_000, { slackMb: 100 })).toBe(20);
  });

  it("lets a small busy heap grow up to 300 %, not without bound", () => {
    expect(heapGrowingPercent(10, { slackMb: 100 })).toBe(300);
    expect(heapGrowingPercent(0, { slackMb: 100 })).toBe(300);
  });
});
