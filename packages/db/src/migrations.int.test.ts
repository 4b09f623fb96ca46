import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadDatabaseUrl } from "@rigshift/config";
import { ensureDatabase, quoteIdent, splitDatabaseUrl } from "./admin";
import { applyMigrations } from "./migrate";
import { databaseUrlFor } from "./testing";

// Upgrading an install whose raw telemetry is a row per GPU: the migration to a row per rig
// message must keep every sample as it was, and the day partitions the old table had.

const MIGRATIONS = path.resolve(import.meta.dirname, "../../../prisma/migrations");
const MESSAGE_ROWS = "20261206010022_telemetry_message_rows";
const name = `rigshift_test_mig_${randomBytes(4).toString("hex")}`;
const url = databaseUrlFor(name);
let dir: string;
let client: pg.Client;

const SAMPLE_COLUMNS = `"rigId", "seq", "gpuIndex", "gpuId", "at", "mode"::text, "coin", "workloadId", "hashrateHs", "tempC", "powerW", "fanPct", "utilPct", "vramUsedMb"`;
const samples = async () => (await client.query(`SELECT ${SAMPLE_COLUMNS} FROM "TelemetrySample" ORDER BY "rigId", "seq", "gpuIndex"`)).rows;
const partitionsOf = async (table: string) =>
  (await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = $1 ORDER BY 1`, [table],
  )).rows.map((r) => r.name);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "rigshift-migrations-"));
  for (const entry of await readdir(MIGRATIONS)) {
    if (entry < MESSAGE_ROWS) await cp(path.join(MIGRATIONS, entry), path.join(dir, entry), { recursive: true });
  }
  await cp(path.join(MIGRATIONS, "migration_lock.toml"), path.join(dir, "migration_lock.toml"));
  await ensureDatabase(url);
  await applyMigrations(url, dir);
  client = new pg.Client({ connectionString: url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  const admin = new pg.Client({ connectionString: splitDatabaseUrl(loadDatabaseUrl()).adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
});

it("keeps every GPU sample and the day partitions when raw telemetry becomes a row per message", async () => {
  await client.query(`CREATE TABLE "TelemetrySample_p20261201" PARTITION OF "TelemetrySample" FOR VALUES FROM ('2026-12-01T00:00:00Z') TO ('2026-12-02T00:00:00Z')`);
  // Two rigs: three messages of three GPUs (one without a coin), a message of one GPU with every reading NULL
  // on a day with no partition, and a GPU missing from one message.
  await client.query(`
    INSERT INTO "TelemetrySample"
    SELECT r, s, g, md5(r::text || g)::uuid, '2026-12-01T10:00:00Z'::timestamptz + s * interval '5 s', 'HASHING',
           CASE WHEN g = 1 THEN NULL ELSE 'ETC' END, NULL, 6e7 + s * 1000 + g, 60.5 + g, 220, 55, 99, 4500 + g
      FROM unnest(ARRAY['0b5f1c3e-8a7d-4c2b-9e1f-3a4b5c6d7e8f', '1b5f1c3e-8a7d-4c2b-9e1f-3a4b5c6d7e8f']::uuid[]) AS r,
           generate_series(1, 3) AS s, generate_series(0, 2) AS g
     WHERE NOT (s = 2 AND g = 2)`);
  await client.query(`
    INSERT INTO "TelemetrySample" VALUES ('0b5f1c3e-8a7d-4c2b-9e1f-3a4b5c6d7e8f', 9, 0, '9f8e7d6c-5b4a-4321-8fed-cba987654321',
      '2026-12-09T10:00:00.123Z', 'AI', NULL, '8f8e7d6c-5b4a-4321-8fed-cba987654321', NULL, NULL, NULL, NULL, NULL, NULL)`);
  const before = await samples();
  expect(before).toHaveLength(2 * 8 + 1);

  await cp(path.join(MIGRATIONS, MESSAGE_ROWS), path.join(dir, MESSAGE_ROWS), { recursive: true });
  expect(await applyMigrations(url, dir)).toEqual([MESSAGE_ROWS]);

  expect(await samples()).toEqual(before);
  const messages = await client.query<{ rigId: string; seq: string; gpus: number[] }>(
    `SELECT "rigId", "seq", "gpuIndex" AS gpus FROM "TelemetryMessage" ORDER BY "rigId", "seq"`);
  expect(messages.rows.map((m) => [m.seq, m.gpus])).toEqual([
    ["1", [0, 1, 2]], ["2", [0, 1]], ["3", [0, 1, 2]], ["9", [0]],
    ["1", [0, 1, 2]], ["2", [0, 1]], ["3", [0, 1, 2]],
  ]);
  expect(await partitionsOf("TelemetryMessage")).toEqual(["TelemetryMessage_default", "TelemetryMessage_p20261201"]);
  const placed = await client.query<{ part: string; n: string }>(
    `SELECT tableoid::regclass::text AS part, count(*) AS n FROM "TelemetryMessage" GROUP BY 1 ORDER BY 1`);
  expect(placed.rows.map((r) => [r.part.replaceAll('"', ""), Number(r.n)])).toEqual([["TelemetryMessage_default", 1], ["TelemetryMessage_p20261201", 6]]);
  expect(await client.query(`SELECT to_regclass('"TelemetrySample_p20261201"') AS t`).then((r) => r.rows[0].t)).toBeNull();
});
