import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { TelemetryRow } from "../queries/telemetry";

/**
 * Telemetry ingest with COPY, the one deliberate bypass of Prisma (it cannot COPY). A batch is
 * copied into a session-local staging table, then moved with `INSERT … SELECT … ON CONFLICT DO
 * NOTHING`, all in one transaction: each (rig, seq, gpu) is stored once whatever an agent resends
 * (within a batch or across batches), and a batch is either committed whole or not at all, so the
 * caller acks agents only after `write` resolves.
 */

const COLUMNS = [
  "rigId", "seq", "gpuIndex", "gpuId", "at", "mode", "coin", "workloadId",
  "hashrateHs", "tempC", "powerW", "fanPct", "utilPct", "vramUsedMb",
] as const satisfies readonly (keyof TelemetryRow)[];
const COLUMN_LIST = COLUMNS.map((c) => `"${c}"`).join(", ");

// ON COMMIT DELETE ROWS empties it at every commit; a rolled-back batch leaves nothing either.
const CREATE_STAGE = `CREATE TEMP TABLE IF NOT EXISTS telemetry_stage (LIKE "TelemetrySample") ON COMMIT DELETE ROWS`;
const MOVE_STAGE = `INSERT INTO "TelemetrySample" (${COLUMN_LIST}) SELECT ${COLUMN_LIST} FROM telemetry_stage ON CONFLICT DO NOTHING`;

/** A value in COPY's text format: `\N` is NULL; backslash, tab, newline and CR are escaped. */
const copyText = (value: string | number | Date | null): string => {
  if (value === null) return "\\N";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number") return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
};

/** Rows as COPY text, a few hundred rows a chunk so a large batch is not one huge string. */
function* copyChunks(rows: TelemetryRow[]) {
  const CHUNK = 500;
  for (let i = 0; i < rows.length; i += CHUNK) {
    let text = "";
    for (const row of rows.slice(i, i + CHUNK)) text += COLUMNS.map((c) => copyText(row[c])).join("\t") + "\n";
    yield text;
  }
}

export type TelemetryWriter = {
  /** Store a batch; resolves once committed. Returns the rows newly stored (duplicates skipped). */
  write: (rows: TelemetryRow[]) => Promise<number>;
  close: () => Promise<void>;
};

export type TelemetryWriterOptions = {
  databaseUrl: string;
  /** The batcher writes one batch at a time: one connection is the steady state. */
  poolMax?: number;
  /** Idle connections the server dropped (a restart) surface here instead of crashing the process. */
  onPoolError?: (err: Error) => void;
};

export const createTelemetryWriter = ({ databaseUrl, poolMax = 2, onPoolError }: TelemetryWriterOptions): TelemetryWriter => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolMax });
  pool.on("error", (err) => onPoolError?.(err));

  const write = async (rows: TelemetryRow[]) => {
    if (rows.length === 0) return 0;
    const client = await pool.connect();
    // A connection that dies while checked out (server restart) emits `error` between queries;
    // unheard, that would crash the process. The failing query below rejects the batch anyway.
    const onLost = (err: Error) => onPoolError?.(err);
    client.on("error", onLost);
    try {
      await client.query("BEGIN");
      await client.query(CREATE_STAGE);
      await pipeline(Readable.from(copyChunks(rows)), client.query(copyFrom(`COPY telemetry_stage (${COLUMN_LIST}) FROM STDIN`)));
      const moved = await client.query(MOVE_STAGE);
      await client.query("COMMIT");
      client.off("error", onLost);
      client.release();
      return moved.rowCount ?? 0;
    } catch (err) {
      // The connection may be dead (server restart) or mid-COPY: never hand it back to the pool.
      // The listener stays: a dying connection may still report after it is destroyed.
      client.release(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  };

  return { write, close: () => pool.end() };
};
