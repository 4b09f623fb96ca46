import { z } from "zod";
import { PROTOCOL_VERSION, ZGpuMode } from "../enums";
import { ZAckFailure } from "../errors";

const reading = (max: number) => z.number().finite().min(0).max(max).nullable();

/** One GPU's reading. Null means the tool did not say — never 0. */
export const ZGpuSample = z.object({
  index: z.number().int().nonnegative().max(63),
  mode: ZGpuMode,
  /** Coin being hashed, when mode is HASHING. */
  coin: z.string().max(16).nullable().default(null),
  /** AI workload running, when mode is AI. */
  workloadId: z.uuid().nullable().default(null),
  hashrateHs: reading(1e15),
  tempC: reading(150),
  powerW: reading(2000),
  fanPct: reading(100),
  utilPct: reading(100),
  vramUsedMb: z.number().int().min(0).max(1_000_000).nullable(),
});
export type GpuSample = z.infer<typeof ZGpuSample>;

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
  gpus: z.array(ZGpuSample).min(1).max(32),
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
