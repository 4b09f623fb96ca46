import { DomainError } from "@rigshift/protocol";
import type { Log } from "./log";

/**
 * Rows from many rigs go to the database together: a batch closes when it holds `maxRows` rows
 * or its first row has waited `maxMs`, whichever comes first. `add` resolves only once the rows
 * are committed, so the agent is acked after the write and keeps what failed to resend it.
 * One write runs at a time; what arrives meanwhile waits, and once the write ends everything that
 * waited goes in the next one (group commit): when the database is slower than the agents, batches
 * grow instead of queueing up, and each commit's fixed cost is paid for more rows.
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
  /** When the oldest waiting row arrived (performance.now()). */
  let firstAt = 0;
  let timer: NodeJS.Timeout | null = null;
  let inFlightRows = 0;
  let writing: Promise<void> | null = null;
  let closed = false;

  /** Set by the timer: a timer may fire a little before performance.now() says maxMs passed. */
  let expired = false;
  const due = () => rows.length > 0 && (closed || expired || rows.length >= maxRows || performance.now() - firstAt >= maxMs);

  /** Start a write of everything waiting, unless one is running (its end calls this again). */
  const kick = () => {
    if (writing || !due()) return;
    if (timer) clearTimeout(timer);
    timer = null;
    expired = false;
    const batch = rows;
    const batchWaiters = waiters;
    rows = [];
    waiters = [];
    inFlightRows = batch.length;
    writing = (async () => {
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
        inFlightRows = 0;
        writing = null;
        kick();
      }
    })();
  };

  return {
    add: (more) => {
      if (closed) return Promise.reject(new DomainError("UNAVAILABLE", "gateway is shutting down"));
      if (rows.length + inFlightRows + more.length > maxPendingRows) {
        return Promise.reject(new DomainError("UNAVAILABLE", "gateway is behind on writes; resend later"));
      }
      return new Promise<void>((resolve, reject) => {
        if (rows.length === 0) firstAt = performance.now();
        for (const r of more) rows.push(r);
        waiters.push({ resolve, reject });
        if (rows.length >= maxRows) kick();
        else timer ??= setTimeout(() => {
          timer = null;
          expired = true;
          kick();
        }, Math.max(0, maxMs - (performance.now() - firstAt)));
      });
    },
    pendingRows: () => rows.length + inFlightRows,
    close: async () => {
      closed = true;
      kick();
      while (writing) await writing;
    },
  };
};
