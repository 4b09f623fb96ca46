// `npm run db:migrate`: create the database if missing, then apply prisma/migrations/.
import path from "node:path";
import { applyMigrations, ensureDatabase } from "@rigshift/db/migrate";
import { loadDatabaseUrl } from "@rigshift/config";

const root = path.resolve(import.meta.dirname, "..");
const databaseUrl = loadDatabaseUrl();
await ensureDatabase(databaseUrl);
const applied = await applyMigrations(databaseUrl, path.join(root, "prisma/migrations"));
process.stdout.write(applied.length ? `applied ${applied.join(", ")}\n` : "database is up to date\n");
