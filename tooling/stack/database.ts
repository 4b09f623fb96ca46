import { applyMigrations, ensureDatabase } from "@rigshift/db/migrate";
import { migrationsDir } from "./paths";

/** Create the database if missing and apply every migration it lacks; returns what was applied. */
export const migrateDatabase = async (databaseUrl: string) => {
  const created = await ensureDatabase(databaseUrl);
  const applied = await applyMigrations(databaseUrl, migrationsDir);
  return { created, applied };
};
