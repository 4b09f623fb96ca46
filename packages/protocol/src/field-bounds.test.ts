import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ZGpuMode } from "./enums";
import { describeZodError } from "./errors";
import { ZTelemetry } from "./messages/telemetry";

/** A GPU's reading with zod's own field checks: what the protocol's one-pass bounds must match. */
const reading = (max: number) => z.number().min(0).max(max).nullable();
const ZGpuSampleByFieldChecks = z.object({
  index: z.number().int().nonnegative().max(63),
  mode: ZGpuMode,
  coin: z.string().max(16).nullable().default(null),
  workloadId: z.uuid().nullable().default(null),
  hashrateHs: reading(1e15),
  tempC: reading(150),
  powerW: reading(2000),
  fanPct: reading(100),
  utilPct: reading(100),
  vramUsedMb: z.number().int().min(0).max(1_000_000).nullable(),
});
const ZTelemetryByFieldChecks = ZTelemetry.extend({ gpus: z.array(ZGpuSampleByFieldChecks).min(1).max(32) });

/** Each issue as the agent reads it, in a stable order (the one-pass check reports after the type errors). */
const reasons = (schema: z.ZodType, input: unknown) => {
  const parsed = schema.safeParse(input);
  return parsed.success ? [] : describeZodError(parsed.error).split("; ").sort();
};

const message = (gpus: unknown[]) => ({ v: 1, seq: 1, at: "2026-12-06T10:00:00.000Z", gpus });

/** Values near and past each bound, fractions, huge integers, non-finite and wrong types. */
const numberLike = (max: number) =>
  fc.oneof(
    fc.constantFrom(0, max, -0, -1e-9, max + 1e-9, max + 1, -1, 0.5, max - 0.5, 2 ** 53, 2 ** 60, -(2 ** 60), Infinity, -Infinity, NaN, null, "7", true),
    fc.double({ min: -2 * max, max: 2 * max, noNaN: true }),
    fc.integer({ min: -2 * max, max: 2 * max }),
  );

/** GPU i: its index is i or a bad value no other GPU can share (duplicates are their own check). */
const gpuAt = (i: number) =>
  fc.record({
    index: fc.constantFrom(i, i, i + 0.5, -1 - i, 64 + i, `${i}`, null),
    mode: fc.constantFrom("HASHING", "AI", "IDLE", "hashing"),
    coin: fc.oneof(fc.constant(null), fc.string({ maxLength: 20 }), fc.constant(7)),
    workloadId: fc.oneof(fc.constant(null), fc.uuid(), fc.constant("not-a-uuid")),
    hashrateHs: numberLike(1e15),
    tempC: numberLike(150),
    powerW: numberLike(2000),
    fanPct: numberLike(100),
    utilPct: numberLike(100),
    vramUsedMb: numberLike(1_000_000),
  });

describe("telemetry GPU bounds, checked once per message", () => {
  it("accept and refuse exactly what zod's field checks do, with the same reasons", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => gpuAt(i)))), (gpus) => {
        expect(reasons(ZTelemetry, message(gpus))).toEqual(reasons(ZTelemetryByFieldChecks, message(gpus)));
      }),
      { numRuns: 2000 },
    );
  });

  it("name every bad field of every GPU, type errors and bounds together", () => {
    const good = { index: 0, mode: "HASHING", coin: "ETC", hashrateHs: 1, tempC: 60, powerW: 200, fanPct: 50, utilPct: 99, vramUsedMb: 4000 };
    expect(reasons(ZTelemetry, message([{ ...good, tempC: 151 }, { ...good, index: 1, powerW: "lots", vramUsedMb: 0.5 }]))).toEqual([
      "gpus.0.tempC: Too big: expected number to be <=150",
      "gpus.1.powerW: Invalid input: expected number, received string",
      "gpus.1.vramUsedMb: Invalid input: expected int, received number",
    ]);
  });

  it("refuse a message that lists a GPU twice, naming the second", () => {
    const gpu = { index: 3, mode: "IDLE", hashrateHs: null, tempC: null, powerW: null, fanPct: null, utilPct: null, vramUsedMb: null };
    expect(reasons(ZTelemetry, message([gpu, { ...gpu, index: 4 }, gpu]))).toEqual(["gpus.2.index: GPU 3 is listed twice"]);
  });
});
