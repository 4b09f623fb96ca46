import { appendFile, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ZTelemetry, type Telemetry, type TelemetryGap } from "@rigshift/protocol";
import { openDiskSpool, type DiskSpool, type DiskSpoolOptions } from "./disk-spool";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const silent = pino({ level: "silent" });

/** A real telemetry message, 5 s apart per seq, like the recorder makes. */
const sample = (seq: number, atMs = T0 + seq * 5_000): Telemetry => ({
  v: 1,
  seq,
  at: new Date(atMs).toISOString(),
  gpus: [{ index: 0, mode: "HASHING", coin: "ETC", workloadId: null, hashrateHs: 6.1e7, tempC: 61, powerW: 120, fanPct: 55, utilPct: 100, vramUsedMb: 4100 }],
});

/** Bytes one spooled `sample` line takes, to size bounds in whole messages. */
const LINE_BYTES = Buffer.byteLength(`${JSON.stringify({ id: 0, m: sample(0) })}\n`);

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "rigshift-spool-"));
  dirs.push(dir);
  return dir;
};
const opened: DiskSpool[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const open = async (dir: string, over: Partial<DiskSpoolOptions> = {}) => {
  const spool = await openDiskSpool({ dir, maxBytes: 1_000_000, maxAgeS: 7 * 86_400, now: () => new Date(T0), log: silent, ...over });
  opened.push(spool);
  return spool;
};

const all = async (spool: DiskSpool) => (await spool.oldest(1_000_000, new Set())).map((e) => e.item);
const seqsOf = async (spool: DiskSpool) => (await all(spool)).map((t) => t.seq);
/** Deliver like the courier: take the oldest, "the gateway acks", remove. */
const ackSeqs = async (spool: DiskSpool, seqs: number[]) => {
  for (const e of await spool.oldest(1_000_000, new Set())) if (seqs.includes(e.item.seq)) await spool.remove(e.id, e.item);
};

describe("disk spool", () => {
  it("keeps unacked telemetry across a restart and replays it oldest first, acked messages never again", async () => {
    const dir = await tempDir();
    const first = await open(dir);
    for (let seq = 10; seq < 16; seq++) await first.append(sample(seq));
    // The courier's window acks out of order.
    await ackSeqs(first, [12, 10, 15]);
    expect(first.size()).toBe(3);
    await first.close();

    const second = await open(dir);
    expect(await seqsOf(second)).toEqual([11, 13, 14]);
    // The messages come back whole, valid for the protocol.
    for (const t of await all(second)) expect(ZTelemetry.parse(t)).toEqual(t);
    // A restarted recorder numbers after what is spooled, or the gateway would drop new samples as duplicates.
    expect(second.maxSeq()).toBe(15);
    await second.append(sample(16));
    expect(await seqsOf(second)).toEqual([11, 13, 14, 16]);
  });

  it("loses nothing when the agent is killed without closing the spool", async () => {
    const dir = await tempDir();
    const crashed = await open(dir);
    for (let seq = 0; seq < 4; seq++) await crashed.append(sample(seq));
    await ackSeqs(crashed, [0]);
    // No close(): a SIGKILLed agent never gets to flush.
    const restarted = await open(dir);
    expect(await seqsOf(restarted)).toEqual([1, 2, 3]);
  });

  it("deletes a segment file once every message in it is acked", async () => {
    const dir = await tempDir();
    const spool = await open(dir, { segmentBytes: LINE_BYTES * 2 });
    for (let seq = 0; seq < 6; seq++) await spool.append(sample(seq));
    const segments = async () => (await readdir(dir)).filter((f) => f.startsWith("seg-")).sort();
    expect(await segments()).toHaveLength(3);
    await ackSeqs(spool, [0, 1, 2]);
    // The first segment (seqs 0, 1) is fully acked; the second still holds seq 3.
    expect(await segments()).toHaveLength(2);
    await ackSeqs(spool, [3, 4, 5]);
    expect(await segments()).toEqual([]);
    expect(spool.bytes()).toBe(0);
  });

  it("drops the oldest messages past maxBytes and sends a gap record covering exactly them", async () => {
    const dir = await tempDir();
    const drops: TelemetryGap[] = [];
    const spool = await open(dir, { maxBytes: LINE_BYTES * 10, segmentBytes: LINE_BYTES * 2, onDrop: (g) => drops.push(g) });
    for (let seq = 0; seq < 30; seq++) await spool.append(sample(seq));

    expect(spool.bytes()).toBeLessThanOrEqual(LINE_BYTES * 10);
    const left = await all(spool);
    const firstKept = left[0]!.seq;
    expect(left.map((t) => t.seq)).toEqual(Array.from({ length: 30 - firstKept }, (_, i) => firstKept + i));
    expect(drops.length).toBeGreaterThan(0);
    // The oldest message still spooled tells the gateway what is missing before it.
    expect(left[0]!.gap).toEqual({
      fromSeq: 0,
      toSeq: firstKept - 1,
      from: sample(0).at,
      to: sample(firstKept - 1).at,
      dropped: firstKept,
    });
    expect(ZTelemetry.parse(left[0]).gap).toEqual(left[0]!.gap);
    expect(left.slice(1).every((t) => t.gap === undefined)).toBe(true);
  });

  it("keeps owing the gap across a restart until the message carrying it is acked", async () => {
    const dir = await tempDir();
    const first = await open(dir, { maxBytes: LINE_BYTES * 4, segmentBytes: LINE_BYTES });
    for (let seq = 0; seq < 8; seq++) await first.append(sample(seq));
    const gap = first.pendingGap();
    expect(gap).toMatchObject({ fromSeq: 0, toSeq: 3 });

    const second = await open(dir, { maxBytes: LINE_BYTES * 4, segmentBytes: LINE_BYTES });
    const [head] = await second.oldest(1, new Set());
    expect(head!.item).toMatchObject({ seq: 4, gap });
    // Dropped unstored (the gateway refused it for good): the gap is still owed, by the next one.
    await second.remove(head!.id);
    expect(second.pendingGap()).toEqual(gap);
    const [next] = await second.oldest(1, new Set());
    expect(next!.item).toMatchObject({ seq: 5, gap });
    await second.remove(next!.id, next!.item);
    expect(second.pendingGap()).toBeNull();
    expect((await all(second)).some((t) => t.gap)).toBe(false);

    const third = await open(dir, { maxBytes: LINE_BYTES * 4, segmentBytes: LINE_BYTES });
    expect(third.pendingGap()).toBeNull();
    expect(await seqsOf(third)).toEqual([6, 7]);
  });

  it("drops messages older than maxAgeS, with their sample times in the gap", async () => {
    const dir = await tempDir();
    let nowMs = T0;
    const spool = await open(dir, { maxAgeS: 60, now: () => new Date(nowMs) });
    for (let seq = 0; seq < 10; seq++) await spool.append(sample(seq, T0 + seq * 10_000));
    // 60 s after the last sample at T0+90 s: only samples from T0+90 s on are young enough.
    nowMs = T0 + 150_000;
    await spool.append(sample(10, nowMs));
    expect(await seqsOf(spool)).toEqual([9, 10]);
    expect(spool.pendingGap()).toEqual({
      fromSeq: 0,
      toSeq: 8,
      from: new Date(T0).toISOString(),
      to: new Date(T0 + 80_000).toISOString(),
      dropped: 9,
    });
  });

  it("applies the age bound to a backlog found at start-up", async () => {
    const dir = await tempDir();
    const first = await open(dir);
    for (let seq = 0; seq < 3; seq++) await first.append(sample(seq));
    await first.close();
    // The rig was powered off for eight days.
    const later = await open(dir, { maxAgeS: 7 * 86_400, now: () => new Date(T0 + 8 * 86_400_000) });
    expect(later.size()).toBe(0);
    expect(later.pendingGap()).toMatchObject({ fromSeq: 0, toSeq: 2, dropped: 3 });
  });

  it("skips a torn last line with a warning and keeps every complete message", async () => {
    const dir = await tempDir();
    const first = await open(dir);
    for (let seq = 0; seq < 3; seq++) await first.append(sample(seq));
    await first.close();
    const [segment] = (await readdir(dir)).filter((f) => f.startsWith("seg-"));
    // The agent died half-way through writing seq 3.
    const whole = JSON.stringify({ id: 3, m: sample(3) });
    await appendFile(join(dir, segment!), whole.slice(0, whole.length / 2));

    const warnings: string[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => warnings.push((JSON.parse(line) as { msg: string }).msg) });
    const restarted = await open(dir, { log });
    expect(warnings).toContain("spool segment ends in a torn line (crash mid-write); skipped");
    expect(await seqsOf(restarted)).toEqual([0, 1, 2]);
    await restarted.append(sample(3));
    await restarted.close();
    expect(await seqsOf(await open(dir))).toEqual([0, 1, 2, 3]);
  });

  it("never appends after a segment that holds only a torn line", async () => {
    const dir = await tempDir();
    const first = await open(dir);
    for (let seq = 0; seq < 3; seq++) await first.append(sample(seq));
    await first.close();
    // A new segment was opened for id 3 and the agent died inside its first line.
    const whole = JSON.stringify({ id: 3, m: sample(3) });
    await appendFile(join(dir, "seg-000000000003.jsonl"), whole.slice(0, 40));

    const second = await open(dir);
    await second.append(sample(3));
    await second.append(sample(4));
    await second.close();
    expect(await seqsOf(await open(dir))).toEqual([0, 1, 2, 3, 4]);
  });

  it("starts over, replaying everything, when the cursor file is garbage", async () => {
    const dir = await tempDir();
    const first = await open(dir);
    for (let seq = 0; seq < 3; seq++) await first.append(sample(seq));
    await first.close();
    await appendFile(join(dir, "cursor.json"), "}{");
    expect(await seqsOf(await open(dir))).toEqual([0, 1, 2]);
    expect(JSON.parse(await readFile(join(dir, "cursor.json"), "utf8"))).toMatchObject({ v: 1 });
  });

  it("never replays an acked message and never loses an unacked one without a gap covering it (random runs)", async () => {
    type Op =
      | { op: "append"; n: number }
      | { op: "send"; n: number }
      | { op: "ack"; pick: boolean[] }
      | { op: "restart"; crash: boolean }
      | { op: "age"; minutes: number };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      { weight: 4, arbitrary: fc.record({ op: fc.constant("append" as const), n: fc.integer({ min: 1, max: 6 }) }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constant("send" as const), n: fc.integer({ min: 1, max: 8 }) }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constant("ack" as const), pick: fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant("restart" as const), crash: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant("age" as const), minutes: fc.integer({ min: 1, max: 20 }) }) },
    );

    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 3, max: 25 }), async (ops, boundLines) => {
        const dir = await tempDir();
        let nowMs = T0;
        const options: Partial<DiskSpoolOptions> = {
          maxBytes: LINE_BYTES * boundLines,
          segmentBytes: LINE_BYTES * 2,
          maxAgeS: 30 * 60,
          now: () => new Date(nowMs),
        };
        let spool = await open(dir, options);
        let nextSeq = 0;
        const acked = new Set<number>();
        /** Sent like the courier does, awaiting the gateway's ack (messages as they went out). */
        let inFlight = new Map<number, Telemetry>();
        /** Gaps the gateway stored (they came on an acked message) plus the one still owed. */
        const gapsSeen: TelemetryGap[] = [];
        const covered = (seq: number) => [...gapsSeen, spool.pendingGap()].some((g) => g && g.fromSeq <= seq && seq <= g.toSeq);

        const check = async () => {
          const replay = await seqsOf(spool);
          expect(replay).toEqual([...replay].sort((a, b) => a - b));
          for (const seq of replay) expect(acked.has(seq)).toBe(false);
          for (let seq = 0; seq < nextSeq; seq++) {
            if (!acked.has(seq) && !replay.includes(seq)) expect(covered(seq), `seq ${seq} lost without a gap`).toBe(true);
          }
          expect(spool.size()).toBe(replay.length);
        };

        for (const step of ops) {
          if (step.op === "append") {
            for (let i = 0; i < step.n; i++) await spool.append(sample(nextSeq++, nowMs));
          } else if (step.op === "send") {
            for (const e of await spool.oldest(step.n, new Set(inFlight.keys()))) inFlight.set(e.id, e.item);
          } else if (step.op === "ack") {
            for (const [i, [id, item]] of [...inFlight].entries()) {
              if (!step.pick[i]) continue;
              inFlight.delete(id);
              if (item.gap) gapsSeen.push(item.gap);
              await spool.remove(id, item);
              acked.add(item.seq);
            }
          } else if (step.op === "age") {
            nowMs += step.minutes * 60_000;
          } else {
            if (!step.crash) await spool.close();
            spool = await open(dir, options);
            inFlight = new Map();
          }
          await check();
        }
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});
