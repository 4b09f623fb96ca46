import { describeZodError, type ErrorCode } from "@rigshift/protocol";
import type { z } from "zod";
import type { Log } from "../log";
import type { Spool } from "../spool/spool";
import type { AgentEvent, AgentLink } from "./agent-link";

type AckSchema = z.ZodType<{ ok: true } | { ok: false; code: ErrorCode; message: string }>;

export type CourierOptions<T> = {
  event: AgentEvent;
  spool: Spool<T>;
  link: AgentLink;
  ack: AckSchema;
  /** Messages awaiting their ack at once. 1 keeps strict order (the server may handle concurrently). */
  window: number;
  /** Pause after the server refused a message it may take later (database down). */
  retryMs: number;
  log: Log;
  /** Fields that identify a message in logs. */
  describe: (item: T) => object;
  onAcked?: (item: T) => void;
  /**
   * Most messages sent per second (resends included), so a backlog replayed after an outage does
   * not flood the gateway; live sampling is far below it. Unset: no limit.
   */
  maxPerS?: number;
};

/**
 * Resending the same message cannot fix these: drop it, or it blocks the spool forever.
 * Anything else (UNAVAILABLE, INTERNAL, no ack at all) is retried.
 */
const PERMANENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "PROTOCOL_INVALID",
  "INVALID_INPUT",
  "COMMAND_NOT_FOUND",
  "GPU_NOT_FOUND",
  "COMMAND_EXPIRED",
]);

/**
 * Delivers a spool's messages oldest first, at least once: an entry leaves the spool only when
 * the server acks it (the server drops duplicates by seq / step). Whatever is in flight when
 * the link drops is sent again once the link is back.
 */
export const createCourier = <T>(opts: CourierOptions<T>) => {
  const { event, spool, link, log } = opts;
  const inFlight = new Set<number>();
  let pumping = false;
  let again = false;
  let pausedUntil = 0;
  let resumeTimer: NodeJS.Timeout | null = null;
  let stopped = false;
  // Token bucket: up to one second's worth may go out at once, then `maxPerS` a second.
  const rate = opts.maxPerS ?? null;
  let tokens = rate ?? 0;
  let tokensAt = Date.now();
  let throttleTimer: NodeJS.Timeout | null = null;
  /** How many may be sent now; schedules a kick for when the next one may go if that is 0. */
  const allowance = (wanted: number) => {
    if (rate === null) return wanted;
    const nowMs = Date.now();
    tokens = Math.min(Math.max(1, rate), tokens + ((nowMs - tokensAt) / 1000) * rate);
    tokensAt = nowMs;
    const n = Math.min(wanted, Math.floor(tokens));
    if (n < 1 && !throttleTimer) {
      throttleTimer = setTimeout(() => {
        throttleTimer = null;
        kick();
      }, Math.ceil(((1 - tokens) / rate) * 1000));
    }
    return n;
  };

  const pauseAfterRefusal = () => {
    pausedUntil = Date.now() + opts.retryMs;
    if (!resumeTimer) {
      resumeTimer = setTimeout(() => {
        resumeTimer = null;
        kick();
      }, opts.retryMs);
    }
  };

  const deliver = async (id: number, item: T) => {
    let raw: unknown;
    try {
      raw = await link.send(event, item);
    } catch (err) {
      inFlight.delete(id);
      // Still connected: the gateway is slow or stuck; otherwise the next hello resumes us.
      if (link.isReady()) {
        log.warn({ event, ...opts.describe(item), err: (err as Error).message }, "no ack; will resend");
        pauseAfterRefusal();
      }
      return;
    }
    const ack = opts.ack.safeParse(raw);
    if (!ack.success) {
      inFlight.delete(id);
      log.warn({ event, ...opts.describe(item), reason: describeZodError(ack.error) }, "malformed ack; will resend");
      pauseAfterRefusal();
      return;
    }
    if (ack.data.ok) {
      await spool.remove(id, item);
      inFlight.delete(id);
      opts.onAcked?.(item);
    } else if (PERMANENT.has(ack.data.code)) {
      await spool.remove(id);
      inFlight.delete(id);
      log.error({ event, ...opts.describe(item), code: ack.data.code, reason: ack.data.message }, "message refused for good; dropped");
    } else {
      inFlight.delete(id);
      log.warn({ event, ...opts.describe(item), code: ack.data.code, reason: ack.data.message }, "message refused; will resend");
      pauseAfterRefusal();
    }
    kick();
  };

  const pump = async () => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        while (!stopped && link.isReady() && Date.now() >= pausedUntil && inFlight.size < opts.window) {
          const room = allowance(opts.window - inFlight.size);
          if (room < 1) break;
          const batch = await spool.oldest(room, inFlight);
          if (batch.length === 0) break;
          if (rate !== null) tokens -= batch.length;
          for (const { id, item } of batch) {
            inFlight.add(id);
            deliver(id, item).catch((err: unknown) => {
              inFlight.delete(id);
              log.error({ err, event }, "delivering a message failed");
            });
          }
        }
      } while (again);
    } finally {
      pumping = false;
    }
  };

  /** Send what can be sent now; cheap to call often. */
  const kick = () => {
    pump().catch((err: unknown) => log.error({ err, event }, "courier failed"));
  };

  return {
    kick,
    /** A fresh connection: nothing is in flight on it yet, and old refusals no longer hold us back. */
    resume: () => {
      inFlight.clear();
      pausedUntil = 0;
      kick();
    },
    stop: () => {
      stopped = true;
      if (resumeTimer) clearTimeout(resumeTimer);
      if (throttleTimer) clearTimeout(throttleTimer);
    },
  };
};
export type Courier = ReturnType<typeof createCourier>;
