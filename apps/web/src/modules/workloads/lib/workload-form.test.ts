import { describe, expect, it } from "vitest";
import { EMPTY_WORKLOAD_FORM, toWorkloadSubmission, type WorkloadFormValues } from "./workload-form";

const filled: WorkloadFormValues = {
  ...EMPTY_WORKLOAD_FORM,
  name: "sdxl-batch",
  customer: "Pixel Co",
  gpusNeeded: "2",
  minVramGb: "24",
  usdPerGpuHour: "0.55",
  expectedHours: "6",
};

describe("the workload submit form", () => {
  it("sends VRAM in MiB, money and hours as the decimal text typed, and blank times as none", () => {
    const r = toWorkloadSubmission(filled);
    expect(r.errors).toBeNull();
    expect(r.body).toMatchObject({ minVramMb: 24 * 1024, usdPerGpuHour: "0.55", expectedHours: "6", earliestStart: null, deadline: null, gpusNeeded: 2 });
  });

  it("reads an empty hours field as open-ended work", () => {
    expect(toWorkloadSubmission({ ...filled, expectedHours: "" }).body?.expectedHours).toBeNull();
  });

  it("names each bad field, VRAM under the GB field the operator typed into", () => {
    const r = toWorkloadSubmission({ ...filled, customer: " ", gpusNeeded: "1.5", minVramGb: "-1", usdPerGpuHour: "cheap" });
    expect(r.body).toBeNull();
    expect(Object.keys(r.errors ?? {}).sort()).toEqual(["customer", "gpusNeeded", "minVramGb", "usdPerGpuHour"]);
    expect(r.errors?.gpusNeeded).toBe("must be a whole number");
  });

  it("refuses a deadline before the earliest start, under the deadline", () => {
    const r = toWorkloadSubmission({ ...filled, earliestStart: "2026-03-02T10:00", deadline: "2026-03-01T10:00" });
    expect(r.errors).toEqual({ deadline: "deadline must be after earliestStart" });
  });
});
