import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { loadDatabaseUrl } from "@rigshift/config";
import { quoteIdent, splitDatabaseUrl } from "./admin";
import { createDb } from "./client";
import { applyMigrations } from "./migrate";

/**
 * Test databases: one template migrated once per run (globalSetup), then a database per test
 * file cloned from it, dropped when the file ends. Real PostgreSQL, real constraints.
 */

export const TEMPLATE_DATABASE = "rigshift_test_tpl";
const migrationsDir = path.resolve(import.meta.dirname, "../../../prisma/migrations");

const withAdmin = async <T>(fn: (client: pg.Client) => Promise<T>): Promise<T> => {
  const { adminUrl } = splitDatabaseUrl(loadDatabaseUrl());
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
};

export const databaseUrlFor = (name: string) => {
  const url = new URL(loadDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
};

/** Drop and rebuild the template from the migrations (vitest globalSetup). */
export const prepareTemplateDatabase = async () => {
  await withAdmin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(TEMPLATE_DATABASE)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoteIdent(TEMPLATE_DATABASE)}`);
  });
  await applyMigrations(databaseUrlFor(TEMPLATE_DATABASE), migrationsDir);
};

export type TestDatabase = { name: string; url: string; db: ReturnType<typeof createDb>; drop: () => Promise<void> };

/** A fresh, migrated database for one test file. */
export const createTestDatabase = async (): Promise<TestDatabase> => {
  const name = `rigshift_test_${randomBytes(6).toString("hex")}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(TEMPLATE_DATABASE)}`));
  const url = databaseUrlFor(name);
  const db = createDb({ databaseUrl: url, poolMax: 4 });
  return {
    name,
    url,
    db,
    drop: async () => {
      await db.$disconnect();
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
  };
};

/** A Redis key prefix of one test file, so files running side by side never share keys or queues. */
export const testRedisPrefix = () => `rstest_${randomBytes(4).toString("hex")}`;
