import { describe, expect, it } from "vitest";
import { splitFieldErrors } from "./field-errors";

describe("splitting the API's error message by field", () => {
  it("puts each message under its field and keeps the rest for the form", () => {
    const r = splitFieldErrors("powerCapKw: must be positive; policy.minGainPct: Too big; (root): nothing to change", ["powerCapKw", "policy.minGainPct"]);
    expect(r).toEqual({ fields: { powerCapKw: "must be positive", "policy.minGainPct": "Too big" }, form: "(root): nothing to change" });
  });

  it("gives a nested path to its known parent field", () => {
    expect(splitFieldErrors("curtailment.afterWindows: too small", ["curtailment"]).fields).toEqual({ curtailment: "too small" });
  });
});
