import { defineConfig } from "vitest/config";

// Three projects: `unit` (pure, no services), `integration` (real PostgreSQL + Redis + socket.io,
// a database per file cloned from a migrated template) and `e2e` (the whole stack + Chromium).
const ignored = ["**/node_modules/**", "**/.next/**", "**/dist/**"];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          // Projects with different worker settings must run as separate groups.
          sequence: { groupOrder: 0 },
          include: ["{apps,packages,scripts,prisma,tooling,tests}/**/*.test.ts"],
          exclude: [...ignored, "**/*.int.test.ts", "**/*.e2e.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          sequence: { groupOrder: 1 },
          include: ["{apps,packages,scripts,prisma,tests}/**/*.int.test.ts"],
          exclude: ignored,
          globalSetup: ["tooling/vitest/integration-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Two cores: more parallel files than that only adds contention.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: "e2e",
          sequence: { groupOrder: 2 },
          include: ["apps/**/*.e2e.test.ts"],
          exclude: ignored,
          globalSetup: ["tooling/vitest/integration-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
