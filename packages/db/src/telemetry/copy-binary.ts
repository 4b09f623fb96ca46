import type { TelemetryRow } from "../queries/telemetry";

/**
 * Telemetry rows in PostgreSQL's binary COPY format (the "Binary Format" section of the COPY
 * page): a header, then per row a field count and each field as a length and its bytes in the
 * type's binary send format, then a trailer. The server copies these bytes in as they are; from
 * text it must parse every uuid, timestamp and float, which on this project's box made a COPY
 * of the same rows take about 45 % longer.
 *
 * Pure: rows in, buffers out. Ids come from the database and the protocol's zod schemas (a coin
 * is at most 16 characters there); an id that is not a uuid, or a text over 64 bytes, is refused
 * here rather than written as garbage.
 */

/** The columns each row carries, in this order: the COPY statement must name them so. */
export const TELEMETRY_COPY_COLUMNS = [
  "rigId", "seq", "gpuIndex", "gpuId", "at", "mode", "coin", "workloadId",
  "hashrateHs", "tempC", "powerW", "fanPct", "utilPct", "vramUsedMb",
] as const satisfies readonly (keyof TelemetryRow)[];

/** The columns, quoted, for SQL. */
export const TELEMETRY_COPY_COLUMN_LIST = TELEMETRY_COPY_COLUMNS.map((c) => `"${c}"`).join(", ");

/** The COPY statement these bytes are for: the columns in the encoder's order, binary format. */
export const telemetryCopyStatement = (table: string) => `COPY ${table} (${TELEMETRY_COPY_COLUMN_LIST}) FROM STDIN WITH (FORMAT binary)`;

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
/** Signature, flags (no OIDs), header extension length. */
const HEADER = Buffer.concat([SIGNATURE, Buffer.alloc(8)]);
const TRAILER = Buffer.from([0xff, 0xff]);

/** PostgreSQL timestamps count microseconds from 2000-01-01 UTC. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 2 ** 32;

/** The longest text (mode, coin) a row may carry, in UTF-8 bytes. */
const MAX_TEXT_BYTES = 64;
/** The most one row takes: field count, 14 lengths, three uuids, seq, GPU index, time, five floats, VRAM and two texts. */
const MAX_ROW_BYTES = 2 + 14 * 4 + 3 * 16 + 8 + 4 + 8 + 5 * 8 + 4 + 2 * MAX_TEXT_BYTES;
/**
 * 64 KB, not more: with 256 KB chunks the gateway serving 10,000 rigs stood at 502-506 MB RSS
 * against 481-484 MB with these (`npm run bench -- agents`), likely because allocations that size
 * fall outside malloc's small-block reuse.
 */
const CHUNK_BYTES = 64 * 1024;

const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[97 + i] = NIBBLE[65 + i] = 10 + i;

/** Where each of a uuid's 16 bytes starts in its 8-4-4-4-12 text. */
const UUID_BYTE_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const notUuid = (column: string, v: string) => new TypeError(`telemetry COPY: ${column} is not a uuid: ${JSON.stringify(v)}`);

/**
 * One chunk being filled, written through a DataView: with Buffer's write methods, which check
 * their arguments on every call, encoding cost 2.7 times building the same rows as text.
 */
class ChunkWriter {
  readonly buf: Buffer;
  private readonly view: DataView;
  at = 0;
  private lastRigId: string | null = null;
  private lastRigIdAt = 0;

  /** Room for `rows` rows (and a header and trailer), up to a chunk's size. */
  constructor(rows: number) {
    this.buf = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, HEADER.length + rows * MAX_ROW_BYTES + TRAILER.length));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Whether one more row and the trailer still fit. */
  fits = () => this.at + MAX_ROW_BYTES + TRAILER.length <= this.buf.length;

  bytes(b: Buffer) {
    b.copy(this.buf, this.at);
    this.at += b.length;
  }

  row(r: TelemetryRow) {
    const v = this.view;
    v.setInt16(this.at, TELEMETRY_COPY_COLUMNS.length);
    this.at += 2;
    this.rigId(r.rigId);
    this.int64(r.seq);
    this.int32(r.gpuIndex);
    this.uuid(r.gpuId, "gpuId");
    this.int64((r.at.getTime() - PG_EPOCH_MS) * 1000);
    this.text(r.mode, "mode");
    this.text(r.coin, "coin");
    this.uuid(r.workloadId, "workloadId");
    this.float8(r.hashrateHs);
    this.float8(r.tempC);
    this.float8(r.powerW);
    this.float8(r.fanPct);
    this.float8(r.utilPct);
    this.int32(r.vramUsedMb);
  }

  private null() {
    this.view.setInt32(this.at, -1);
    this.at += 4;
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
  }

  private float8(n: number | null) {
    if (n === null) return this.null();
    this.view.setInt32(this.at, 8);
    this.view.setFloat64(this.at + 4, n);
    this.at += 12;
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
      const code = s.charCodeAt(n);
      if (code > 0x7f) break;
      buf[start + n] = code;
    }
    if (n < s.length) n = buf.write(s, start, "utf8");
    this.view.setInt32(this.at, n);
    this.at = start + n;
  }

  /** The rows of one message share their rig: its uuid is copied from the row before. */
  private rigId(s: string) {
    if (s === this.lastRigId) {
      this.view.setInt32(this.at, 16);
      this.buf.copyWithin(this.at + 4, this.lastRigIdAt, this.lastRigIdAt + 16);
      this.at += 20;
      return;
    }
    this.lastRigId = s;
    this.lastRigIdAt = this.at + 4;
    this.uuid(s, "rigId");
  }

  /** A uuid's 16 bytes straight from its text, without a Buffer per id. */
  private uuid(s: string | null, column: string) {
    if (s === null) return this.null();
    if (s.length !== 36 || s.charCodeAt(8) !== 45 || s.charCodeAt(13) !== 45 || s.charCodeAt(18) !== 45 || s.charCodeAt(23) !== 45) {
      throw notUuid(column, s);
    }
    this.view.setInt32(this.at, 16);
    const buf = this.buf;
    let out = this.at + 4;
    for (let k = 0; k < 16; k++) {
      const i = UUID_BYTE_AT[k]!;
      const hi = NIBBLE[s.charCodeAt(i)] ?? -1;
      const lo = NIBBLE[s.charCodeAt(i + 1)] ?? -1;
      if ((hi | lo) < 0) throw notUuid(column, s);
      buf[out++] = (hi << 4) | lo;
    }
    this.at = out;
  }
}

/**
 * The whole COPY payload for `rows`, in chunks of at most 64 KB: the header leads the first chunk,
 * the trailer ends the last.
 */
export function* telemetryCopyChunks(rows: readonly TelemetryRow[]): Generator<Buffer> {
  let chunk = new ChunkWriter(rows.length);
  chunk.bytes(HEADER);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (!chunk.fits()) {
      yield chunk.buf.subarray(0, chunk.at);
      chunk = new ChunkWriter(rows.length - i);
    }
    if (!Number.isSafeInteger(r.seq)) throw new RangeError(`telemetry COPY: seq ${r.seq} is not a safe integer`);
    chunk.row(r);
  }
  chunk.bytes(TRAILER);
  yield chunk.buf.subarray(0, chunk.at);
}
