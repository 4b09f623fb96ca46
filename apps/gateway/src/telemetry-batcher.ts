import { DomainError } from "@rigshift/protocol";
import type { Log } from "./log";

/**
 * Messages from many rigs go to the database together, counted in GPU rows (`rowsOf`): a batch
 * closes when it holds `maxRows` rows or its first message has waited `maxMs`, whichever comes
 * first. `add` resolves only once the message is committed, so the agent is acked after the
 * write and keeps what failed to resend it.
 * One write runs at a time; what arrives meanwhile waits, and once the write ends everything that
 * waited goes in the next one (group commit): when the database is slower than the agents, batches
 * grow instead of queueing up, and each commit's fixed cost is paid for more rows.
 * `afterWrite` (the live state that follows stored telemetry) runs after each write, batch by
 * batch in order, while the next batch is written; a batch's messages resolve once it is done.
 * Memory is bounded: beyond `maxPendingRows` new rows are refused (the agent retries later)
 * rather than queued without limit.
 */
export type Batcher<T> = { add: (item: T) => Promise<void>; pendingRows: () => number; close: () => Promise<void> };

type Waiter = { resolve: () => void; reject: (err: unknown) => void };

export const createBatcher = <T>({
  maxRows,
  maxMs,
  maxPendingRows = maxRows * 20,
  rowsOf,
  write,
  afterWrite,
  log,
  onWritten,
}: {
  maxRows: number;
  maxMs: number;
  maxPendingRows?: number;
  /** The GPU rows an item carries. */
  rowsOf: (item: T) => number;
  write: (items: T[]) => Promise<void>;
  afterWrite?: (items: T[]) => Promise<void>;
  log: Log;
  /** Told of every write, for metrics. */
  onWritten?: (result: { rows: number; seconds: number; ok: boolean }) => void;
}): Batcher<T> => {
  let items: T[] = [];
  let rows = 0;
  let waiters: Waiter[] = [];
  /** When the oldest waiting row arrived (performance.now()). */
  let firstAt = 0;
  let timer: NodeJS.Timeout | null = null;
  let inFlightRows = 0;
  let writing: Promise<void> | null = null;
  /** Rows written whose afterWrite has not ended: still held, so still counted against the bound. */
  let followingRows = 0;
  let following: Promise<void> = Promise.resolve();
  let closed = false;

  /** Set by the timer: a timer may fire a little before performance.now() says maxMs passed. */
  let expired = false;
  const due = () => items.length > 0 && (closed || expired || rows >= maxRows || performance.now() - firstAt >= maxMs);

  /** Start a write of everything waiting, unless one is running (its end calls this again). */
  const kick = () => {
    if (writing || !due()) return;
    if (timer) clearTimeout(timer);
    timer = null;
    expired = false;
    const batch = items;
    const batchRows = rows;
    const batchWaiters = waiters;
    items = [];
    rows = 0;
    waiters = [];
    inFlightRows = batchRows;
    writing = (async () => {
      const started = performance.now();
      try {
        await write(batch);
        const seconds = (performance.now() - started) / 1000;
        onWritten?.({ rows: batchRows, seconds, ok: true });
        log.debug({ rows: batchRows, ms: Math.round(seconds * 1000) }, "telemetry batch written");
        followingRows += batchRows;
        following = following
          .then(() => afterWrite?.(batch))
          .then(
            () => {
              for (const w of batchWaiters) w.resolve();
            },
            (err: unknown) => {
              // The agent resends; the store skips what it holds and this runs again.
              log.error({ err, rows: batchRows }, "telemetry stored, but what follows it failed; agents will resend");
              const refusal = new DomainError("UNAVAILABLE", "telemetry was stored but not shown live; resend it");
              for (const w of batchWaiters) w.reject(refusal);
            },
          )
          .finally(() => {
            followingRows -= batchRows;
          });
      } catch (err) {
        onWritten?.({ rows: batchRows, seconds: (performance.now() - started) / 1000, ok: false });
        log.error({ err, rows: batchRows }, "telemetry batch failed; agents will resend");
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
    add: (item) => {
      if (closed) return Promise.reject(new DomainError("UNAVAILABLE", "gateway is shutting down"));
      const more = rowsOf(item);
      if (rows + inFlightRows + followingRows + more > maxPendingRows) {
        return Promise.reject(new DomainError("UNAVAILABLE", "gateway is behind on writes; resend later"));
      }
      return new Promise<void>((resolve, reject) => {
        if (items.length === 0) firstAt = performance.now();
        items.push(item);
        rows += more;
        waiters.push({ resolve, reject });
        if (rows >= maxRows) kick();
        else timer ??= setTimeout(() => {
          timer = null;
          expired = true;
          kick();
        }, Math.max(0, maxMs - (performance.now() - firstAt)));
      });
    },
    pendingRows: () => rows + inFlightRows + followingRows,
    close: async () => {
      closed = true;
      kick();
      while (writing) await writing;
      await following;
    },
  };
};
