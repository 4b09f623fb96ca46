import { mkdir, open, readdir, readFile, rename, rm, writeFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Telemetry, TelemetryGap } from "@rigshift/protocol";
import type { Log } from "../log";
import type { Spool, SpoolEntry } from "./spool";

/**
 * Telemetry spool on disk, so neither a network cut nor an agent restart loses a sample.
 *
 * Layout of `dir`:
 * - `seg-<first id>.jsonl`: append-only segments, one `{"id":N,"m":<telemetry>}` per line. A new
 *   process never appends to an old segment, so a line torn by a crash is always a segment's last.
 * - `cursor.json`: which ids are done (acked or dropped), the highest seq ever spooled, and the gap
 *   record still owed to the gateway; replaced whole (write tmp, rename) after every change.
 *
 * Durability: an append resolves once its line is written to the file (in the page cache), so a
 * crashed or killed agent loses nothing; `fdatasync` runs at most every `syncIntervalMs`, so a
 * power cut may lose that last second. The cursor is renamed into place on every ack without
 * fsync: a power cut may forget recent acks, which are then resent and deduplicated by the
 * gateway's (rig, seq) key, never lost.
 */
export type DiskSpoolOptions = {
  dir: string;
  /** Bytes of segment files kept; past it the oldest segment is dropped (with a gap record). */
  maxBytes: number;
  /** Messages sampled longer ago than this are dropped (with a gap record). */
  maxAgeS: number;
  now: () => Date;
  log: Log;
  /** A segment closes at this size, so a drop for size costs at most this much. Default: min(1 MiB, maxBytes / 8). */
  segmentBytes?: number;
  syncIntervalMs?: number;
  /** Told about each batch of messages dropped for the bounds. */
  onDrop?: (gap: TelemetryGap, reason: "size" | "age") => void;
};

export type DiskSpool = Spool<Telemetry> & {
  /** Highest seq ever appended (also across restarts), or null: a restarted agent numbers past it. */
  maxSeq(): number | null;
  /** Dropped messages the gateway has not been told about yet. */
  pendingGap(): TelemetryGap | null;
  /** Bytes of segment files on disk. */
  bytes(): number;
  /** Flush and close the open segment; the spool must not be used after. */
  close(): Promise<void>;
};

type Segment = {
  firstId: number;
  path: string;
  bytes: number;
  ids: number[];
  seqs: number[];
  atsMs: number[];
  /** Index of the first entry not known to be done. */
  head: number;
};

type Cursor = {
  v: 1;
  /** Every id below this is done. */
  doneBelow: number;
  /** Done ids at or above doneBelow (acks arrive out of order within the courier's window). */
  done: number[];
  nextId: number;
  maxSeq: number | null;
  gap: TelemetryGap | null;
};

const CURSOR = "cursor.json";
const SEGMENT = /^seg-(\d+)\.jsonl$/;
const segmentName = (firstId: number) => `seg-${String(firstId).padStart(12, "0")}.jsonl`;
const READ_CACHE_SEGMENTS = 2;

const parseCursor = (text: string): Cursor | null => {
  try {
    const c = JSON.parse(text) as Partial<Cursor>;
    if (c.v !== 1 || typeof c.doneBelow !== "number" || !Array.isArray(c.done) || typeof c.nextId !== "number") return null;
    return { v: 1, doneBelow: c.doneBelow, done: c.done, nextId: c.nextId, maxSeq: c.maxSeq ?? null, gap: c.gap ?? null };
  } catch {
    return null;
  }
};

type ParsedLine = { id: number; message: Telemetry };

/** Lines of one segment; a torn last line (no newline) or a garbled one is skipped and counted. */
const parseSegment = (text: string) => {
  const lines = text.split("\n");
  // A complete file ends in "\n", so the last piece is empty; anything else was cut mid-write.
  const tail = lines.pop() ?? "";
  const entries: ParsedLine[] = [];
  let garbled = 0;
  for (const line of lines) {
    if (line.length === 0) continue;
    try {
      const raw = JSON.parse(line) as { id?: unknown; m?: { seq?: unknown; at?: unknown } };
      if (typeof raw.id !== "number" || typeof raw.m?.seq !== "number" || typeof raw.m.at !== "string") throw new Error("not a spool line");
      entries.push({ id: raw.id, message: raw.m as Telemetry });
    } catch {
      garbled++;
    }
  }
  return { entries, torn: tail.length > 0, garbled };
};

const mergeGap = (gap: TelemetryGap | null, seq: number, atMs: number): TelemetryGap => {
  const at = new Date(atMs).toISOString();
  if (!gap) return { fromSeq: seq, toSeq: seq, from: at, to: at, dropped: 1 };
  return {
    fromSeq: Math.min(gap.fromSeq, seq),
    toSeq: Math.max(gap.toSeq, seq),
    from: atMs < Date.parse(gap.from) ? at : gap.from,
    to: atMs > Date.parse(gap.to) ? at : gap.to,
    dropped: gap.dropped + 1,
  };
};

/** Open (or create) the spool in `dir`, reading back what an earlier agent left unacked. */
export const openDiskSpool = async (opts: DiskSpoolOptions): Promise<DiskSpool> => {
  const { dir, maxBytes, maxAgeS, now, log } = opts;
  const segmentBytes = Math.max(1, opts.segmentBytes ?? Math.min(1024 * 1024, Math.floor(maxBytes / 8)));
  const syncIntervalMs = opts.syncIntervalMs ?? 1_000;
  await mkdir(dir, { recursive: true });

  const segments: Segment[] = [];
  const doneSet = new Set<number>();
  let doneBelow = 0;
  let nextId = 0;
  let maxSeq: number | null = null;
  let gap: TelemetryGap | null = null;
  let live = 0;
  let totalBytes = 0;
  let active: { seg: Segment; fh: FileHandle; items: Telemetry[] } | null = null;
  const readCache = new Map<number, Map<number, Telemetry>>();
  let unsynced = false;
  let closed = false;

  // ---- read back what is on disk ----
  const cursorText = await readFile(join(dir, CURSOR), "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return null;
    throw err;
  });
  const cursor = cursorText === null ? null : parseCursor(cursorText);
  if (cursorText !== null && !cursor) log.warn({ dir }, "spool cursor unreadable; replaying every spooled message (the gateway drops duplicates)");
  if (cursor) {
    doneBelow = cursor.doneBelow;
    for (const id of cursor.done) doneSet.add(id);
    nextId = cursor.nextId;
    maxSeq = cursor.maxSeq;
    gap = cursor.gap;
  }
  const isDone = (id: number) => id < doneBelow || doneSet.has(id);

  const files = (await readdir(dir))
    .map((name) => ({ name, match: SEGMENT.exec(name) }))
    .filter((f): f is { name: string; match: RegExpExecArray } => f.match !== null)
    .sort((a, b) => Number(a.match[1]) - Number(b.match[1]));
  for (const { name } of files) {
    const path = join(dir, name);
    const text = await readFile(path, "utf8");
    const { entries, torn, garbled } = parseSegment(text);
    if (torn) log.warn({ file: path }, "spool segment ends in a torn line (crash mid-write); skipped");
    if (garbled > 0) log.warn({ file: path, lines: garbled }, "spool segment has unreadable lines; skipped");
    const seg: Segment = {
      firstId: entries[0]?.id ?? Number(SEGMENT.exec(name)?.[1] ?? 0),
      path,
      bytes: Buffer.byteLength(text),
      ids: entries.map((e) => e.id),
      seqs: entries.map((e) => e.message.seq),
      atsMs: entries.map((e) => Date.parse(e.message.at)),
      head: 0,
    };
    // Past the file's own name too: a segment holding only a torn line must not be appended to
    // by a new segment of the same name (the next line would fuse with the fragment).
    nextId = Math.max(nextId, seg.firstId + 1, Number(SEGMENT.exec(name)?.[1] ?? 0) + 1);
    for (const e of entries) {
      nextId = Math.max(nextId, e.id + 1);
      maxSeq = Math.max(maxSeq ?? -1, e.message.seq);
      if (!isDone(e.id)) live++;
    }
    segments.push(seg);
    totalBytes += seg.bytes;
  }

  // ---- bookkeeping ----
  const writeCursor = async () => {
    const body: Cursor = { v: 1, doneBelow, done: [...doneSet], nextId, maxSeq, gap };
    const tmp = join(dir, `${CURSOR}.tmp`);
    await writeFile(tmp, JSON.stringify(body));
    await rename(tmp, join(dir, CURSOR));
  };

  const deleteSegment = async (seg: Segment) => {
    await rm(seg.path, { force: true });
    totalBytes -= seg.bytes;
    readCache.delete(seg.firstId);
  };

  /** Advance past done entries at the head; delete closed segments with nothing left to send. */
  const compact = async () => {
    while (segments.length > 0) {
      const seg = segments[0]!;
      while (seg.head < seg.ids.length && isDone(seg.ids[seg.head]!)) {
        doneSet.delete(seg.ids[seg.head]!);
        seg.head++;
      }
      if (seg.head < seg.ids.length || active?.seg === seg) break;
      segments.shift();
      await deleteSegment(seg);
    }
    const first = segments[0];
    const newBelow = first && first.head < first.ids.length ? first.ids[first.head]! : nextId;
    doneBelow = Math.max(doneBelow, newBelow);
    for (const id of doneSet) if (id < doneBelow) doneSet.delete(id);
  };

  const markDone = (id: number) => {
    if (isDone(id)) return false;
    doneSet.add(id);
    live--;
    return true;
  };

  const drop = (seg: Segment, i: number) => {
    if (!markDone(seg.ids[i]!)) return false;
    gap = mergeGap(gap, seg.seqs[i]!, seg.atsMs[i]!);
    return true;
  };

  const reportDrop = (before: TelemetryGap | null, reason: "size" | "age") => {
    if (!gap || gap === before) return;
    log.warn({ reason, fromSeq: gap.fromSeq, toSeq: gap.toSeq, from: gap.from, to: gap.to, dropped: gap.dropped }, "telemetry spool bound reached; oldest messages dropped");
    opts.onDrop?.(gap, reason);
  };

  /** Enforce maxAgeS then maxBytes, oldest first. Returns whether anything changed. */
  const enforceBounds = async () => {
    const before = gap;
    const oldestAllowedMs = now().getTime() - maxAgeS * 1000;
    let changed = false;
    ageScan: for (const seg of segments) {
      for (let i = seg.head; i < seg.ids.length; i++) {
        if (isDone(seg.ids[i]!)) continue;
        if (seg.atsMs[i]! >= oldestAllowedMs) break ageScan;
        changed = drop(seg, i) || changed;
      }
    }
    reportDrop(before, "age");
    const beforeSize = gap;
    // The newest segment always stays: it holds the message just appended.
    while (totalBytes > maxBytes && segments.length > 1) {
      const seg = segments.shift()!;
      for (let i = seg.head; i < seg.ids.length; i++) drop(seg, i);
      await deleteSegment(seg);
      changed = true;
    }
    reportDrop(beforeSize, "size");
    if (changed) await compact();
    return changed;
  };

  const itemsOf = async (seg: Segment): Promise<(id: number) => Telemetry | undefined> => {
    if (active?.seg === seg) {
      const items = active.items;
      return (id) => items[id - seg.firstId];
    }
    let cached = readCache.get(seg.firstId);
    if (!cached) {
      const { entries } = parseSegment(await readFile(seg.path, "utf8"));
      cached = new Map(entries.map((e) => [e.id, e.message]));
      if (readCache.size >= READ_CACHE_SEGMENTS) readCache.delete(readCache.keys().next().value as number);
      readCache.set(seg.firstId, cached);
    }
    const map = cached;
    return (id) => map.get(id);
  };

  const closeActive = async () => {
    if (!active) return;
    const { fh, seg, items } = active;
    active = null;
    await fh.datasync().catch((err: unknown) => log.warn({ err, file: seg.path }, "spool fsync failed"));
    await fh.close();
    // Already parsed: keep it for the courier, which will read it next after an outage.
    if (readCache.size >= READ_CACHE_SEGMENTS) readCache.delete(readCache.keys().next().value as number);
    readCache.set(seg.firstId, new Map(items.map((m, i) => [seg.firstId + i, m])));
  };

  const openActive = async () => {
    const seg: Segment = { firstId: nextId, path: join(dir, segmentName(nextId)), bytes: 0, ids: [], seqs: [], atsMs: [], head: 0 };
    const fh = await open(seg.path, "a");
    // The new file's name must survive a power cut too, or its lines vanish with it.
    const dirHandle = await open(dir, "r");
    await dirHandle.sync().catch(() => undefined).finally(() => dirHandle.close());
    segments.push(seg);
    active = { seg, fh, items: [] };
    return active;
  };

  // One operation at a time: appends, acks and reads touch the same files and counters.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <R>(fn: () => Promise<R>): Promise<R> => {
    const run = queue.then(() => {
      if (closed) throw new Error("disk spool is closed");
      return fn();
    });
    queue = run.catch(() => undefined);
    return run;
  };

  const syncTimer = setInterval(() => {
    if (!unsynced) return;
    unsynced = false;
    void serial(async () => {
      await active?.fh.datasync();
    }).catch((err: unknown) => log.warn({ err }, "spool fsync failed"));
  }, syncIntervalMs);
  syncTimer.unref();

  // Start-up: settle what the cursor says is done, then apply the bounds to the backlog.
  await compact();
  if ((await enforceBounds()) || cursor === null) await writeCursor();
  if (live > 0) log.info({ messages: live, bytes: totalBytes, dir }, "telemetry spool has a backlog to replay");

  const append = (item: Telemetry) =>
    serial(async () => {
      const id = nextId;
      const line = `${JSON.stringify({ id, m: item })}\n`;
      const a = active ?? (await openActive());
      try {
        await a.fh.write(line);
      } catch (err) {
        // A partial line may be in the file now; never write after it (it would garble the next).
        active = null;
        await a.fh.close().catch(() => undefined);
        throw err;
      }
      nextId++;
      unsynced = true;
      const bytes = Buffer.byteLength(line);
      a.seg.ids.push(id);
      a.seg.seqs.push(item.seq);
      a.seg.atsMs.push(Date.parse(item.at));
      a.seg.bytes += bytes;
      a.items.push(item);
      totalBytes += bytes;
      live++;
      maxSeq = Math.max(maxSeq ?? -1, item.seq);
      if (a.seg.bytes >= segmentBytes) await closeActive();
      if (await enforceBounds()) await writeCursor();
    });

  const oldest = (limit: number, except: ReadonlySet<number>) =>
    serial(async () => {
      const out: SpoolEntry<Telemetry>[] = [];
      for (const seg of segments) {
        if (out.length >= limit) break;
        let lookup: ((id: number) => Telemetry | undefined) | null = null;
        for (let i = seg.head; i < seg.ids.length && out.length < limit; i++) {
          const id = seg.ids[i]!;
          if (isDone(id) || except.has(id)) continue;
          lookup ??= await itemsOf(seg);
          const item = lookup(id);
          if (item) out.push({ id, item });
        }
      }
      // The oldest message handed out tells the gateway about the loss; until one carrying the
      // whole gap is acked, every batch's first message carries it again (the gateway stores ranges).
      if (gap && out[0]) out[0] = { ...out[0], item: { ...out[0].item, gap } };
      return out;
    });

  const remove = (id: number, delivered?: Telemetry) =>
    serial(async () => {
      const carried = delivered?.gap;
      // Stored with a gap covering all we dropped: the gateway knows about the loss. A gap that
      // grew after this message went out is still owed.
      const settled = gap !== null && carried != null && carried.fromSeq <= gap.fromSeq && carried.toSeq >= gap.toSeq;
      if (settled) gap = null;
      if (!markDone(id) && !settled) return;
      await compact();
      await writeCursor();
    });

  return {
    append,
    oldest,
    remove,
    removeWhere: (match) =>
      serial(async () => {
        let removed = 0;
        for (const seg of segments) {
          const lookup = await itemsOf(seg);
          for (let i = seg.head; i < seg.ids.length; i++) {
            const id = seg.ids[i]!;
            const item = lookup(id);
            if (!isDone(id) && item && match(item) && markDone(id)) removed++;
          }
        }
        if (removed > 0) {
          await compact();
          await writeCursor();
        }
        return removed;
      }),
    size: () => live,
    maxSeq: () => maxSeq,
    pendingGap: () => gap,
    bytes: () => totalBytes,
    close: async () => {
      if (closed) return;
      await serial(async () => {
        clearInterval(syncTimer);
        await closeActive();
        await writeCursor();
        closed = true;
      });
    },
  };
};
