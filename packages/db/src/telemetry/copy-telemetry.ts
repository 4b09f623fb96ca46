import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { TELEMETRY_LATE_AFTER_MS } from "@rigshift/protocol";
import {
  TELEMETRY_COPY_COLUMN_LIST as COLUMN_LIST,
  TELEMETRY_MESSAGE_TABLE as TABLE,
  telemetryCopyChunks,
  telemetryCopyStatement,
  type TelemetryCopyTypes,
  type TelemetryMessageRow,
} from "./copy-binary";

/**
 * Telemetry ingest with COPY in binary format (copy-binary.ts), the one deliberate bypass of
 * Prisma (it cannot COPY). A batch is committed whole or not at all, so the caller acks agents
 * only after `write` resolves, and each message (rig, seq, time) is stored once whatever an agent
 * resends. Each rig message is one row ("TelemetryMessage"):
 * - fast path: COPY straight into the table. Its primary key refuses a message already stored
 *   and the whole COPY rolls back; most batches hold no resend, and this path costs the
 *   database what a bare COPY costs.
 * - after such a refusal: COPY into a session-local staging table, then `INSERT … SELECT … ON
 *   CONFLICT DO NOTHING`. Resends come in bursts (a gateway restart, a lost ack), so this path
 *   stays on for a while before the fast path is tried again.
 * Messages older than TELEMETRY_LATE_AFTER_MS are marked in "TelemetryLate" in the same
 * transaction, so the rollups re-fold their time exactly when the rows are there.
 */

const COPY_DIRECT = telemetryCopyStatement(TABLE);
// ON COMMIT DELETE ROWS empties it at every commit; a rolled-back batch leaves nothing either.
const CREATE_STAGE = `CREATE TEMP TABLE IF NOT EXISTS telemetry_stage (LIKE ${TABLE}) ON COMMIT DELETE ROWS`;
const COPY_STAGE = telemetryCopyStatement("telemetry_stage");
const MOVE_STAGE = `WITH moved AS (
  INSERT INTO ${TABLE} (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM telemetry_stage ON CONFLICT DO NOTHING RETURNING cardinality("gpuIndex") AS gpus
) SELECT COALESCE(sum(gpus), 0)::int AS stored FROM moved`;

/** The database's ids for what the encoder needs (see `TelemetryCopyTypes`). */
export const readTelemetryCopyTypes = async (client: pg.ClientBase): Promise<TelemetryCopyTypes> => {
  const { rows } = await client.query<{ oid: number }>(`SELECT to_regtype('"GpuMode"')::oid AS oid`);
  const gpuModeOid = rows[0]?.oid;
  if (!gpuModeOid) throw new Error(`telemetry COPY: the database has no "GpuMode" type; is it migrated?`);
  return { gpuModeOid };
};

/** One mark per rig: a later late batch widens it (the minute job keeps a mark that changed while it folded). */
const MARK_LATE = `INSERT INTO "TelemetryLate" ("rigId", "from", "to") SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[])
  ON CONFLICT ("rigId") DO UPDATE SET
    "from" = LEAST("TelemetryLate"."from", EXCLUDED."from"), "to" = GREATEST("TelemetryLate"."to", EXCLUDED."to")`;

/** Each rig's span of late messages in a batch: one mark per rig. */
const lateSpans = (messages: readonly TelemetryMessageRow[], lateBefore: number) => {
  const spans = new Map<string, { from: number; to: number }>();
  for (const m of messages) {
    const at = m.at.getTime();
    if (at >= lateBefore) continue;
    const span = spans.get(m.rigId);
    if (!span) spans.set(m.rigId, { from: at, to: at });
    else {
      span.from = Math.min(span.from, at);
      span.to = Math.max(span.to, at);
    }
  }
  return spans;
};

const UNIQUE_VIOLATION = "23505";
/** How long the staging path stays on after a batch held a resend. */
const DEDUPE_MODE_MS = 10_000;

export type TelemetryWriter = {
  /**
   * Store a batch of rig messages; resolves once committed. Returns the GPU samples newly stored
   * (those of messages already stored, or repeated in the batch, skipped).
   */
  write: (messages: readonly TelemetryMessageRow[]) => Promise<number>;
  close: () => Promise<void>;
};

export type TelemetryWriterOptions = {
  databaseUrl: string;
  /** The batcher writes one batch at a time: one connection is the steady state. */
  poolMax?: number;
  /** Idle connections the server dropped (a restart) surface here instead of crashing the process. */
  onPoolError?: (err: Error) => void;
  /** The clock late messages are told by. */
  now?: () => Date;
};

const isUniqueViolation = (err: unknown) => (err as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;

export const createTelemetryWriter = ({ databaseUrl, poolMax = 2, onPoolError, now = () => new Date() }: TelemetryWriterOptions): TelemetryWriter => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax });
  pool.on("error", (err) => onPoolError?.(err));
  let dedupeUntil = 0;
  let types: TelemetryCopyTypes | undefined;

  const copyInto = async (client: pg.PoolClient, sql: string, messages: readonly TelemetryMessageRow[]) => {
    types ??= await readTelemetryCopyTypes(client);
    await pipeline(Readable.from(telemetryCopyChunks(messages, types)), client.query(copyFrom(sql)));
  };

  /** A resent message is marked again: harmless, a re-fold gives the same rows. */
  const markLate = async (client: pg.PoolClient, messages: readonly TelemetryMessageRow[]) => {
    const spans = lateSpans(messages, now().getTime() - TELEMETRY_LATE_AFTER_MS);
    if (spans.size === 0) return;
    const rigIds = [...spans.keys()];
    const dates = (k: "from" | "to") => rigIds.map((r) => new Date(spans.get(r)![k]));
    await client.query(MARK_LATE, [rigIds, dates("from"), dates("to")]);
  };

  const writeDirect = async (client: pg.PoolClient, messages: readonly TelemetryMessageRow[]) => {
    await client.query("BEGIN");
    try {
      await copyInto(client, COPY_DIRECT, messages);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      await client.query("ROLLBACK");
      return false;
    }
    await markLate(client, messages);
    await client.query("COMMIT");
    return true;
  };

  const writeDeduped = async (client: pg.PoolClient, messages: readonly TelemetryMessageRow[]) => {
    await client.query("BEGIN");
    await client.query(CREATE_STAGE);
    await copyInto(client, COPY_STAGE, messages);
    const moved = await client.query<{ stored: number }>(MOVE_STAGE);
    await markLate(client, messages);
    await client.query("COMMIT");
    return moved.rows[0]?.stored ?? 0;
  };

  const write = async (messages: readonly TelemetryMessageRow[]) => {
    if (messages.length === 0) return 0;
    const client = await pool.connect();
    // A connection that dies while checked out (server restart) emits `error` between queries;
    // unheard, that would crash the process. The failing query below rejects the batch anyway.
    const onLost = (err: Error) => onPoolError?.(err);
    client.on("error", onLost);
    try {
      let stored: number;
      if (performance.now() >= dedupeUntil && (await writeDirect(client, messages))) {
        stored = messages.reduce((n, m) => n + m.gpus.length, 0);
      } else {
        dedupeUntil = performance.now() + DEDUPE_MODE_MS;
        stored = await writeDeduped(client, messages);
      }
      client.off("error", onLost);
      client.release();
      return stored;
    } catch (err) {
      // The connection may be dead (server restart) or mid-COPY: never hand it back to the pool.
      // The listener stays: a dying connection may still report after it is destroyed.
      client.release(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  };

  return { write, close: () => pool.end() };
};
