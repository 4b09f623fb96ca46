import type { Spool, SpoolEntry } from "./spool";

export type MemorySpoolOptions<T> = {
  capacity: number;
  /** Told about each entry dropped because the spool was full, so the loss is logged. */
  onDrop?: (item: T) => void;
};

/** Bounded FIFO in memory: a long outage costs the oldest messages, never the agent's memory. */
export const createMemorySpool = <T>({ capacity, onDrop }: MemorySpoolOptions<T>): Spool<T> => {
  if (capacity < 1) throw new Error("spool capacity must be at least 1");
  // Map keeps insertion order, and ids only grow, so iteration is oldest first.
  const entries = new Map<number, T>();
  let nextId = 1;

  return {
    append: async (item) => {
      entries.set(nextId++, item);
      while (entries.size > capacity) {
        const [oldestId, oldest] = entries.entries().next().value as [number, T];
        entries.delete(oldestId);
        onDrop?.(oldest);
      }
    },
    oldest: async (limit, except) => {
      const out: SpoolEntry<T>[] = [];
      for (const [id, item] of entries) {
        if (out.length >= limit) break;
        if (!except.has(id)) out.push({ id, item });
      }
      return out;
    },
    remove: async (id) => {
      entries.delete(id);
    },
    removeWhere: async (match) => {
      let removed = 0;
      for (const [id, item] of entries) {
        if (match(item)) {
          entries.delete(id);
          removed++;
        }
      }
      return removed;
    },
    size: () => entries.size,
  };
};
