/**
 * Messages waiting for the server's ack, oldest first. Async so the on-disk spool (a later
 * issue) can replace the in-memory one without touching the couriers.
 */
export type SpoolEntry<T> = { id: number; item: T };

export interface Spool<T> {
  /** Keep a message until it is acked; a full spool drops its oldest entry to make room. */
  append(item: T): Promise<void>;
  /** Up to `limit` entries, oldest first, skipping the ids in `except` (already in flight). */
  oldest(limit: number, except: ReadonlySet<number>): Promise<SpoolEntry<T>[]>;
  /**
   * Forget an entry. `delivered` is the message as the server acked it (absent when it was
   * dropped unstored): the disk spool settles what rode on it, its gap record.
   */
  remove(id: number, delivered?: T): Promise<void>;
  /** Drop every entry the predicate matches (the server says it already has them). */
  removeWhere(match: (item: T) => boolean): Promise<number>;
  size(): number;
}
