import { z } from "zod";
import { PROTOCOL_VERSION, ZGpuMode } from "../enums";
import { ZAckFailure } from "../errors";
import { EVEN_AFTER_TYPE_ERRORS, eachWithinBounds, type FieldBounds } from "../field-bounds";

/** A GPU's readings, by type (telemetry bounds them in gpuSampleBounds). Null means the tool did not say — never 0. */
export const GPU_READING_FIELDS = {
  hashrateHs: z.number().nullable(),
  tempC: z.number().nullable(),
  powerW: z.number().nullable(),
  fanPct: z.number().nullable(),
  utilPct: z.number().nullable(),
  vramUsedMb: z.number().nullable(),
};

/** One GPU's reading: types here, bounds in gpuSampleBounds. */
const ZGpuSampleFields = z.object({
  index: z.number(),
  mode: ZGpuMode,
  /** Coin being hashed, when mode is HASHING. */
  coin: z.string().nullable().default(null),
  /** AI workload running, when mode is AI. */
  workloadId: z.uuid().nullable().default(null),
  ...GPU_READING_FIELDS,
});
export type GpuSample = z.infer<typeof ZGpuSampleFields>;

/**
 * What one GPU's reading may hold beyond its types. Checked once per message over all its GPUs
 * (`field-bounds.ts` says why), with the issues zod's field checks would raise.
 */
const gpuSampleBounds = (g: GpuSample, bounds: FieldBounds) => {
  bounds.integer("index", g.index, 0, 63);
  bounds.text("coin", g.coin, 16);
  bounds.number("hashrateHs", g.hashrateHs, 0, 1e15);
  bounds.number("tempC", g.tempC, 0, 150);
  bounds.number("powerW", g.powerW, 0, 2000);
  bounds.number("fanPct", g.fanPct, 0, 100);
  bounds.number("utilPct", g.utilPct, 0, 100);
  bounds.integer("vramUsedMb", g.vramUsedMb, 0, 1_000_000);
};

/** A message's GPUs, each listed once: the store keys a sample by rig, message and GPU index. */
const distinctGpuIndexes = (gpus: readonly GpuSample[], ctx: z.core.$RefinementCtx<GpuSample[]>) => {
  const seen = new Set<number>();
  gpus.forEach((g, i) => {
    if (seen.has(g.index)) ctx.addIssue({ code: "custom", message: `GPU ${g.index} is listed twice`, path: [i, "index"], input: g.index });
    seen.add(g.index);
  });
};

/** All GPUs of one message (at most 32 a rig). */
export const ZGpuSamples = z
  .array(ZGpuSampleFields)
  .min(1)
  .max(32)
  .superRefine(eachWithinBounds(gpuSampleBounds), EVEN_AFTER_TYPE_ERRORS)
  .superRefine(distinctGpuIndexes);

/**
 * Telemetry the agent had to throw away (its spool hit its size or age bound while the gateway
 * was unreachable): the dashboard shows this span as a gap, not as zeros. Seqs in
 * [fromSeq, toSeq] the gateway has not stored are lost for good; `from`/`to` are the sample
 * times of the first and last message dropped; `dropped` counts them.
 */
export const ZTelemetryGap = z
  .object({
    fromSeq: z.number().int().nonnegative(),
    toSeq: z.number().int().nonnegative(),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    dropped: z.number().int().positive(),
  })
  .refine((g) => g.fromSeq <= g.toSeq, { message: "fromSeq must not exceed toSeq", path: ["toSeq"] });
export type TelemetryGap = z.infer<typeof ZTelemetryGap>;

/** One message per rig per sampling tick, with every GPU. Each (rig, seq) is stored once. */
export const ZTelemetry = z.object({
  v: z.literal(PROTOCOL_VERSION),
  seq: z.number().int().nonnegative(),
  at: z.iso.datetime({ offset: true }),
  gpus: ZGpuSamples,
  /**
   * Optional, so agents that never drop (and older ones) send none. Rides on the oldest message
   * still spooled after the drop; it may arrive more than once, or grown: store it as a range.
   */
  gap: ZTelemetryGap.nullable().optional(),
});
export type Telemetry = z.infer<typeof ZTelemetry>;

/**
 * The most telemetry messages an agent has sent and not yet had acked. A backlog after an outage
 * drains in round trips of this many; the gateway orders samples by `at`, not by arrival.
 */
export const TELEMETRY_WINDOW = 16;

/**
 * A sample stored this long after its time (by the gateway's clock) is late: the rollups may have
 * folded its minutes already, so the gateway marks it and the minute job re-folds them by rig. The
 * fold jobs wait this plus LEDGER_MAX_GAP_S and a minute after a bucket ends before they fold it
 * (the scheduler's `rollupSettleMs`), so what is not marked has landed by then.
 */
export const TELEMETRY_LATE_AFTER_MS = 60_000;

/** Sent only after the rows are committed: the agent may then forget the message. */
export const ZTelemetryAck = z.union([z.object({ ok: z.literal(true), seq: z.number().int() }), ZAckFailure]);
export type TelemetryAck = z.infer<typeof ZTelemetryAck>;
