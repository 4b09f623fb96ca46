import { DomainError } from "@rigshift/protocol";
import type { Log } from "./log";

/**
 * Rows from many rigs go to the database together: a batch is written when it holds `maxRows`
 * rows or its first row has waited `maxMs`, whichever comes first. `add` resolves only once the
 * rows are committed, so the agent is acked after the write and keeps what failed to resend it.
 * Memory is bounded: beyond `maxPendingRows` new rows are refused (the agent retries later)
 * rather than queued without limit.
 */
export type Batcher<T> = { add: (rows: T[]) => Promise<void>; pendingRows: () => number; close: () => Promise<void> };

type Waiter = { resolve: () => void; reject: (err: unknown) => void };

export const createBatcher = <T>({
  maxRows,
  maxMs,
  maxPendingRows = maxRows * 20,
  write,
  log,
  onWritten,
}: {
  maxRows: number;
  maxMs: number;
  maxPendingRows?: number;
  write: (rows: T[]) => Promise<void>;
  log: Log;
  /** Told of every write, for metrics. */
  onWritten?: (result: { rows: number; seconds: number; ok: boolean }) => void;
}): Batcher<T> => {
  let rows: T[] = [];
  let waiters: Waiter[] = [];
  let timer: NodeJS.Timeout | null = null;
  let inFlightRows = 0;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (rows.length === 0) return writing;
    const batch = rows;
    const batchWaiters = waiters;
    rows = [];
    waiters = [];
    inFlightRows += batch.length;
    // One write at a time keeps the database's work ordered and the connection count fixed.
    writing = writing.then(async () => {
      const started = performance.now();
      try {
        await write(batch);
        const seconds = (performance.now() - started) / 1000;
        onWritten?.({ rows: batch.length, seconds, ok: true });
        log.debug({ rows: batch.length, ms: Math.round(seconds * 1000) }, "telemetry batch written");
        for (const w of batchWaiters) w.resolve();
      } catch (err) {
        onWritten?.({ rows: batch.length, seconds: (performance.now() - started) / 1000, ok: false });
        log.error({ err, rows: batch.length }, "telemetry batch failed; agents will resend");
        const refusal = new DomainError("UNAVAILABLE", "telemetry could not be stored; resend later");
        for (const w of batchWaiters) w.reject(refusal);
      } finally {
        inFlightRows -= batch.length;
      }
    });
    return writing;
  };

  return {
    add: (more) => {
      if (closed) return Promise.reject(new DomainError("UNAVAILABLE", "gateway is shutting down"));
      if (rows.length + inFlightRows + more.length > maxPendingRows) {
        return Promise.reject(new DomainError("UNAVAILABLE", "gateway is behind on writes; resend later"));
      }
      return new Promise<void>((resolve, reject) => {
        rows.push(...more);
        waiters.push({ resolve, reject });
        if (rows.length >= maxRows) void flush();
        else timer ??= setTimeout(() => void flush(), maxMs);
      });
    },
    pendingRows: () => rows.length + inFlightRows,
    close: async () => {
      closed = true;
      await flush();
    },
  };
};
