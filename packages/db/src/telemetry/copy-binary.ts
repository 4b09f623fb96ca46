import type { GpuSample } from "@rigshift/protocol";
import type { TelemetryRow } from "../queries/telemetry";

/**
 * Telemetry in PostgreSQL's binary COPY format (the "Binary Format" section of the COPY page), one
 * row per rig message: a header, then per row a field count and each field as a length and its
 * bytes in the type's binary send format (arrays as array_send writes them), then a trailer. The server copies these bytes in as they are; from
 * text it must parse every uuid, timestamp and float, which on this project's box made a COPY
 * of the same rows take about 45 % longer.
 *
 * Pure: rig messages in, buffers out. Ids come from the database and the protocol's zod schemas (a coin
 * is at most 16 characters there); an id that is not a uuid, or a text over 64 bytes, is refused
 * here rather than written as garbage.
 */

/**
 * The columns of a "TelemetryMessage" row, in this order: the COPY statement must name them so.
 * One row per rig message; each per-GPU column is an array with the message's GPUs in the same order.
 */
export const TELEMETRY_COPY_COLUMNS = [
  "rigId", "seq", "at", "gpuIndex", "gpuId", "mode", "coin", "workloadId",
  "hashrateHs", "tempC", "powerW", "fanPct", "utilPct", "vramUsedMb",
] as const satisfies readonly (keyof TelemetryRow)[];

/** The columns, quoted, for SQL. */
export const TELEMETRY_COPY_COLUMN_LIST = TELEMETRY_COPY_COLUMNS.map((c) => `"${c}"`).join(", ");

/** The table raw telemetry is written to. */
export const TELEMETRY_MESSAGE_TABLE = `"TelemetryMessage"`;

/** The COPY statement these bytes are for: the columns in the encoder's order, binary format. */
export const telemetryCopyStatement = (table: string = TELEMETRY_MESSAGE_TABLE) =>
  `COPY ${table} (${TELEMETRY_COPY_COLUMN_LIST}) FROM STDIN WITH (FORMAT binary)`;

/**
 * What the encoder needs from the database: an array's binary form names its element type, and
 * PostgreSQL refuses an array whose element type is not the column's. Built-in types have fixed
 * ids; an enum's id is the database's own (`SELECT '"GpuMode"'::regtype::oid`).
 */
export type TelemetryCopyTypes = { gpuModeOid: number };

const INT4_OID = 23;
const FLOAT8_OID = 701;
const TEXT_OID = 25;
const UUID_OID = 2950;

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
/** Signature, flags (no OIDs), header extension length. */
const HEADER = Buffer.concat([SIGNATURE, Buffer.alloc(8)]);
const TRAILER = Buffer.from([0xff, 0xff]);

/** PostgreSQL timestamps count microseconds from 2000-01-01 UTC. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 2 ** 32;

/** The longest text (mode, coin) a row may carry, in UTF-8 bytes. */
const MAX_TEXT_BYTES = 64;
/** A message's own fields: field count, then rig, seq and time with their lengths. */
const MESSAGE_FIXED_BYTES = 2 + (4 + 16) + (4 + 8) + (4 + 8);
/** Each of the 11 arrays: its length, then dimensions, null flag, element type, size and lower bound. */
const ARRAY_HEADER_BYTES = 4 + 5 * 4;
const ARRAY_COLUMNS = TELEMETRY_COPY_COLUMNS.length - 3;
/** The most one GPU adds across the arrays: each element's length, two uuids, index, VRAM, five floats and two texts. */
const MAX_GPU_BYTES = ARRAY_COLUMNS * 4 + 2 * 16 + 2 * 4 + 5 * 8 + 2 * MAX_TEXT_BYTES;
const maxMessageBytes = (gpus: number) => MESSAGE_FIXED_BYTES + ARRAY_COLUMNS * ARRAY_HEADER_BYTES + gpus * MAX_GPU_BYTES;
/**
 * 64 KB, not more: with 256 KB chunks the gateway serving 10,000 rigs stood at 502-506 MB RSS
 * against 481-484 MB with these (`npm run bench -- agents`), likely because allocations that size
 * fall outside malloc's small-block reuse.
 */
const CHUNK_BYTES = 64 * 1024;

const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[97 + i] = NIBBLE[65 + i] = 10 + i;

/**
 * `s.charCodeAt(i)` looks the method up on each string, and the strings here come in several of
 * V8's representations (flat, sliced, internalized…): under the gateway's load that lookup went
 * generic and cost more than the rest of the encoding (perf: `Builtins_LoadIC` under `uuid`, 5 %
 * of a worker). Calling the one function is a call the compiler inlines for any string.
 */
const charCodeAt = String.prototype.charCodeAt;

/** Where each of a uuid's 16 bytes starts in its 8-4-4-4-12 text. */
const UUID_BYTE_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const notUuid = (column: string, v: string) => new TypeError(`telemetry COPY: ${column} is not a uuid: ${JSON.stringify(v)}`);

/**
 * One rig message, a "TelemetryMessage" row: its GPUs' readings as the protocol parsed them (each
 * GPU once) and each GPU's id, in the same order. The gateway stores what it parsed as it is.
 */
export type TelemetryMessageRow = { rigId: string; seq: number; at: Date; gpus: readonly GpuSample[]; gpuIds: readonly string[] };

/**
 * GPU rows (the seed's, tests', benchmarks') as rig messages, in the order each message first
 * appears. A row repeating a GPU already in its message is dropped (the first copy wins, as the
 * table's key keeps the first copy of a message), and rows of one message need not be next to
 * each other.
 */
export const groupTelemetryMessages = (rows: readonly TelemetryRow[]): TelemetryMessageRow[] => {
  const messages: { rigId: string; seq: number; at: Date; gpus: GpuSample[]; gpuIds: string[] }[] = [];
  const byKey = new Map<string, (typeof messages)[number]>();
  for (const r of rows) {
    const key = `${r.rigId}/${r.seq}/${r.at.getTime()}`;
    let m = byKey.get(key);
    if (!m) {
      m = { rigId: r.rigId, seq: r.seq, at: r.at, gpus: [], gpuIds: [] };
      byKey.set(key, m);
      messages.push(m);
    }
    if (m.gpus.some((g) => g.index === r.gpuIndex)) continue;
    m.gpus.push({
      index: r.gpuIndex, mode: r.mode, coin: r.coin, workloadId: r.workloadId,
      hashrateHs: r.hashrateHs, tempC: r.tempC, powerW: r.powerW, fanPct: r.fanPct, utilPct: r.utilPct, vramUsedMb: r.vramUsedMb,
    });
    m.gpuIds.push(r.gpuId);
  }
  return messages;
};

/**
 * One chunk being filled, written through a DataView: with Buffer's write methods, which check
 * their arguments on every call, encoding cost 2.7 times building the same rows as text.
 */
class ChunkWriter {
  readonly buf: Buffer;
  private readonly view: DataView;
  at = 0;

  /** Room for `bytes` (and a header and trailer), at least a chunk's size unless less is asked for. */
  constructor(bytes: number, private readonly types: TelemetryCopyTypes) {
    this.buf = Buffer.allocUnsafe(HEADER.length + bytes + TRAILER.length);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Whether `bytes` more and the trailer still fit. */
  fits = (bytes: number) => this.at + bytes + TRAILER.length <= this.buf.length;

  bytes(b: Buffer) {
    b.copy(this.buf, this.at);
    this.at += b.length;
  }

  /** Each per-GPU column is an array (array_send's layout), written by a loop of its own: no closure per element. */
  message(m: TelemetryMessageRow) {
    const v = this.view;
    const gpus = m.gpus;
    const n = gpus.length;
    if (m.gpuIds.length !== n) throw new RangeError(`telemetry COPY: message ${m.seq} has ${n} GPUs and ${m.gpuIds.length} GPU ids`);
    v.setInt16(this.at, TELEMETRY_COPY_COLUMNS.length);
    this.at += 2;
    this.uuid(m.rigId, "rigId");
    this.int64(m.seq);
    this.int64((m.at.getTime() - PG_EPOCH_MS) * 1000);
    let a = this.arrayStart(INT4_OID, n);
    for (let i = 0; i < n; i++) this.int32(gpus[i]!.index);
    this.arrayEnd(a, false);
    a = this.arrayStart(UUID_OID, n);
    for (let i = 0; i < n; i++) this.uuid(m.gpuIds[i]!, "gpuId");
    this.arrayEnd(a, false);
    a = this.arrayStart(this.types.gpuModeOid, n);
    for (let i = 0; i < n; i++) this.text(gpus[i]!.mode, "mode");
    this.arrayEnd(a, false);
    let nulls = false;
    a = this.arrayStart(TEXT_OID, n);
    for (let i = 0; i < n; i++) nulls = this.text(gpus[i]!.coin, "coin") || nulls;
    this.arrayEnd(a, nulls);
    nulls = false;
    a = this.arrayStart(UUID_OID, n);
    for (let i = 0; i < n; i++) nulls = this.uuid(gpus[i]!.workloadId, "workloadId") || nulls;
    this.arrayEnd(a, nulls);
    nulls = false;
    a = this.arrayStart(FLOAT8_OID, n);
    for (let i = 0; i < n; i++) nulls = this.float8(gpus[i]!.hashrateHs) || nulls;
    this.arrayEnd(a, nulls);
    nulls = false;
    a = this.arrayStart(FLOAT8_OID, n);
    for (let i = 0; i < n; i++) nulls = this.float8(gpus[i]!.tempC) || nulls;
    this.arrayEnd(a, nulls);
    nulls = false;
    a = this.arrayStart(FLOAT8_OID, n);
    for (let i = 0; i < n; i++) nulls = this.float8(gpus[i]!.powerW) || nulls;
    this.arrayEnd(a, nulls);
    nulls = false;
    a = this.arrayStart(FLOAT8_OID, n);
    for (let i = 0; i < n; i++) nulls = this.float8(gpus[i]!.fanPct) || nulls;
    this.arrayEnd(a, nulls);
    nulls = false;
    a = this.arrayStart(FLOAT8_OID, n);
    for (let i = 0; i < n; i++) nulls = this.float8(gpus[i]!.utilPct) || nulls;
    this.arrayEnd(a, nulls);
    nulls = false;
    a = this.arrayStart(INT4_OID, n);
    for (let i = 0; i < n; i++) nulls = this.int32(gpus[i]!.vramUsedMb) || nulls;
    this.arrayEnd(a, nulls);
  }

  /**
   * A one-dimensional array's header: its byte length (filled in by arrayEnd), dimensions,
   * whether it holds a NULL, element type, size and lower bound 1. Its elements follow, each as a
   * field. Returns where the array starts.
   */
  private arrayStart(elementOid: number, size: number) {
    const v = this.view;
    const start = this.at;
    v.setInt32(start + 4, 1);
    v.setInt32(start + 8, 0);
    v.setInt32(start + 12, elementOid);
    v.setInt32(start + 16, size);
    v.setInt32(start + 20, 1);
    this.at = start + 24;
    return start;
  }

  private arrayEnd(start: number, hasNull: boolean) {
    if (hasNull) this.view.setInt32(start + 8, 1);
    this.view.setInt32(start, this.at - start - 4);
  }

  private null() {
    this.view.setInt32(this.at, -1);
    this.at += 4;
    return true;
  }

  /** An int8 (bigint or timestamp) from a safe integer, negative ones included. */
  private int64(n: number) {
    const hi = Math.floor(n / TWO_32);
    const v = this.view;
    v.setInt32(this.at, 8);
    v.setInt32(this.at + 4, hi);
    v.setUint32(this.at + 8, n - hi * TWO_32);
    this.at += 12;
  }

  private int32(n: number | null) {
    if (n === null) return this.null();
    this.view.setInt32(this.at, 4);
    this.view.setInt32(this.at + 4, n);
    this.at += 8;
    return false;
  }

  private float8(n: number | null) {
    if (n === null) return this.null();
    this.view.setInt32(this.at, 8);
    this.view.setFloat64(this.at + 4, n);
    this.at += 12;
    return false;
  }

  /** Text (and enum labels, whose binary form is their text) as UTF-8. */
  private text(s: string | null, column: string) {
    if (s === null) return this.null();
    // A UTF-16 unit is at most 3 bytes of UTF-8: only a long string needs counting.
    if (s.length * 3 > MAX_TEXT_BYTES && Buffer.byteLength(s, "utf8") > MAX_TEXT_BYTES) {
      throw new RangeError(`telemetry COPY: ${column} is longer than ${MAX_TEXT_BYTES} bytes`);
    }
    const buf = this.buf;
    const start = this.at + 4;
    let n = 0;
    // Modes and coins are short ASCII: copied a byte a character, which beats Buffer#write's
    // per-call cost; anything else goes through the UTF-8 encoder.
    for (; n < s.length; n++) {
      const code = charCodeAt.call(s, n);
      if (code > 0x7f) break;
      buf[start + n] = code;
    }
    if (n < s.length) n = buf.write(s, start, "utf8");
    this.view.setInt32(this.at, n);
    this.at = start + n;
    return false;
  }

  /** A uuid's 16 bytes straight from its text, without a Buffer per id. */
  private uuid(s: string | null, column: string) {
    if (s === null) return this.null();
    if (s.length !== 36 || charCodeAt.call(s, 8) !== 45 || charCodeAt.call(s, 13) !== 45 || charCodeAt.call(s, 18) !== 45 || charCodeAt.call(s, 23) !== 45) {
      throw notUuid(column, s);
    }
    this.view.setInt32(this.at, 16);
    const buf = this.buf;
    let out = this.at + 4;
    for (let k = 0; k < 16; k++) {
      const i = UUID_BYTE_AT[k]!;
      const hi = NIBBLE[charCodeAt.call(s, i)] ?? -1;
      const lo = NIBBLE[charCodeAt.call(s, i + 1)] ?? -1;
      if ((hi | lo) < 0) throw notUuid(column, s);
      buf[out++] = (hi << 4) | lo;
    }
    this.at = out;
    return false;
  }
}

/**
 * The whole COPY payload for `messages` (see `groupTelemetryMessages`), in chunks of about 64 KB
 * (a message larger than that gets a chunk of its own): the header leads the first chunk, the
 * trailer ends the last.
 */
export function* telemetryCopyChunks(messages: readonly TelemetryMessageRow[], types: TelemetryCopyTypes): Generator<Buffer> {
  let remaining = 0;
  for (const m of messages) remaining += maxMessageBytes(m.gpus.length);
  const nextChunk = (atLeast: number) => new ChunkWriter(Math.max(atLeast, Math.min(CHUNK_BYTES, remaining)), types);
  let chunk = nextChunk(0);
  chunk.bytes(HEADER);
  for (const m of messages) {
    const size = maxMessageBytes(m.gpus.length);
    if (!chunk.fits(size)) {
      yield chunk.buf.subarray(0, chunk.at);
      chunk = nextChunk(size);
    }
    if (!Number.isSafeInteger(m.seq)) throw new RangeError(`telemetry COPY: seq ${m.seq} is not a safe integer`);
    chunk.message(m);
    remaining -= size;
  }
  chunk.bytes(TRAILER);
  yield chunk.buf.subarray(0, chunk.at);
}
