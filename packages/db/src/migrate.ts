import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { parse as parseConnectionString } from "pg-connection-string";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { quoteIdent } from "./admin";
export { ensureDatabase } from "./admin";
import { SchemaEngine, type MigrationList } from "@prisma/schema-engine-wasm";

/**
 * Prisma's schema engine as WebAssembly (../shared/STACK.md): the native engine cannot be
 * downloaded here, the wasm build runs the same migration logic over the pg driver adapter and
 * keeps Prisma's folder format, so `prisma migrate deploy` reads the same folders elsewhere.
 * Needs `node --experimental-wasm-modules` on Node 20.
 */

const noFilters = { externalTables: [], externalEnums: [] };

export const readMigrationList = async (migrationsDir: string): Promise<MigrationList> => {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const lockPath = path.join(migrationsDir, "migration_lock.toml");
  return {
    baseDir: migrationsDir,
    lockfile: { path: "migration_lock.toml", content: await readFile(lockPath, "utf8").catch(() => null) },
    shadowDbInitScript: "",
    migrationDirectories: await Promise.all(
      dirs.map(async (dir) => {
        const content = await readFile(path.join(migrationsDir, dir, "migration.sql"), "utf8").then(
          (text) => ({ tag: "ok" as const, value: text }),
          (err: Error) => ({ tag: "error" as const, value: err.message }),
        );
        return { path: dir, migrationFile: { path: "migration.sql", content } };
      }),
    ),
  };
};

// The engine expects the error-capturing, Result-returning wrapper the Prisma CLI builds.
// The shadow database (where `diff` replays the migrations) is made here rather than by
// adapter-pg: its own spreads `{ ...config, database }`, which a connection string overrides
// (replaying into the real database), and it drops the shadow while its pool still holds it.
//
// Schema introspection reads catalog columns of PostgreSQL's internal "char" type (oid 18),
// which adapter-pg 7.10 cannot map; pg already returns them as strings, so report them as text.
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
const catalogSafePool = (config: pg.PoolConfig): pg.Pool => {
  const pool = new pg.Pool(config);
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  // Overloaded signatures cannot be re-declared; wrap the instance's method instead.
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const result = query(...args);
    if (!(result instanceof Promise)) return result;
    return result.then((res: pg.QueryResult) => {
      for (const field of res.fields ?? []) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
      return res;
    });
  };
  return pool;
};

// adapter-pg runs a migration script by splitting it on every ";", which cuts dollar-quoted
// function bodies (our ledger trigger) apart. PostgreSQL runs a multi-statement script in one
// simple query, as the native engine does; a failure still fails the migration.
type ScriptAdapter = { executeScript: (script: string) => Promise<void> };
const wholeScripts = <A extends ScriptAdapter>(adapter: A): A => {
  const pool = (adapter as unknown as { client: pg.Pool }).client;
  adapter.executeScript = async (script: string) => {
    await pool.query(script);
  };
  return adapter;
};

const boundAdapter = (databaseUrl: string) => {
  const { database, host, port, user, password } = parseConnectionString(databaseUrl);
  const fields = { host: host ?? undefined, port: port ? Number(port) : undefined, user, password };
  const main = new PrismaPg({ ...fields, database: database ?? undefined });
  return bindMigrationAwareSqlAdapterFactory({
    provider: main.provider,
    adapterName: main.adapterName,
    connect: async () => wholeScripts(await main.connect()),
    connectToShadowDb: async () => {
      const shadowName = `rigshift_shadow_${randomBytes(6).toString("hex")}`;
      const admin = new pg.Client({ ...fields, database: "postgres" });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${quoteIdent(shadowName)}`);
      await admin.end();
      const shadow = wholeScripts(
        await new PrismaPg(catalogSafePool({ ...fields, database: shadowName }), { disposeExternalPool: true }).connect(),
      );
      const dispose = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await dispose();
        const dropper = new pg.Client({ ...fields, database: "postgres" });
        await dropper.connect();
        await dropper.query(`DROP DATABASE IF EXISTS ${quoteIdent(shadowName)} WITH (FORCE)`);
        await dropper.end();
      };
      return shadow;
    },
  });
};

const withEngine = async <T>(databaseUrl: string, schema: { path: string; content: string } | null, fn: (engine: SchemaEngine) => Promise<T>) => {
  const logs: string[] = [];
  const engine = await SchemaEngine.new(
    { datamodels: schema ? [[schema.path, schema.content]] : undefined },
    (line: string) => logs.push(line),
    boundAdapter(databaseUrl),
  );
  try {
    return await fn(engine);
  } catch (err) {
    const detail = err instanceof Error ? err.message : JSON.stringify(err);
    throw new Error(`schema engine: ${detail}${logs.length ? `\n${logs.slice(-5).join("\n")}` : ""}`, { cause: err });
  } finally {
    engine.free();
  }
};

/** Apply every migration folder not yet recorded in `_prisma_migrations`; returns their names. */
export const applyMigrations = async (databaseUrl: string, migrationsDir: string): Promise<string[]> => {
  const migrationsList = await readMigrationList(migrationsDir);
  return withEngine(databaseUrl, null, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList, filters: noFilters });
    return out.appliedMigrationNames;
  });
};

/**
 * SQL that takes a database migrated to `migrationsDir` to the state `schemaPath` describes.
 * The engine replays the migrations in a throw-away shadow database it creates beside `databaseUrl`.
 */
export const diffMigrations = async (databaseUrl: string, migrationsDir: string, schemaPath: string): Promise<string> => {
  const migrationsList = await readMigrationList(migrationsDir);
  const schema = { path: schemaPath, content: await readFile(schemaPath, "utf8") };
  return withEngine(databaseUrl, schema, async (engine) => {
    const result = await engine.diff({
      // The engine needs migration_lock.toml to read a history; with none yet, start from nothing.
      from: migrationsList.migrationDirectories.length ? { tag: "migrations", ...migrationsList } : { tag: "empty" },
      to: { tag: "schemaDatamodel", files: [schema] },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    return result.stdout ?? "";
  });
};
