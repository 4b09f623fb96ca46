import { defineConfig } from "prisma/config";

// Migrations are applied by scripts/db-migrate.ts through the WebAssembly schema engine;
// this file serves `prisma generate` and, where the native engine exists, `prisma migrate deploy`.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/rigshift" },
});
