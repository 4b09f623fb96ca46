#!/usr/bin/env node
// `npm start` / `npm test` on a fresh checkout. Plain Node with no dependencies, because it runs
// before anything is installed: install when node_modules is missing or older than the lockfile,
// then hand over to the TypeScript orchestrator in scripts/stack/<start|test>.ts.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const [mode, ...rest] = process.argv.slice(2);
if (mode !== "start" && mode !== "test") {
  process.stderr.write("usage: node scripts/bootstrap.mjs <start|test> [args…]\n");
  process.exit(2);
}

const mtimeMs = (file) => (existsSync(file) ? statSync(file).mtimeMs : null);

// npm writes node_modules/.package-lock.json at the end of every install: its age is the
// install's age. A lockfile newer than it means someone changed dependencies since.
const installedAt = mtimeMs(path.join(root, "node_modules", ".package-lock.json"));
const lockedAt = mtimeMs(path.join(root, "package-lock.json"));
if (installedAt === null || (lockedAt !== null && lockedAt > installedAt)) {
  process.stdout.write(installedAt === null ? "installing dependencies (npm ci)…\n" : "package-lock.json changed: reinstalling (npm ci)…\n");
  const install = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (install.status !== 0) {
    process.stderr.write("npm ci failed\n");
    process.exit(install.status ?? 1);
  }
}

// The orchestrator gets its own process group: the terminal's Ctrl-C reaches only us, and we
// pass it on, so it can stop the stack in order (agents, servers, then Redis and PostgreSQL)
// instead of every process (PostgreSQL included) receiving it at once.
// --experimental-wasm-modules: Prisma's schema engine for migrations is WebAssembly.
const child = spawn(
  process.execPath,
  ["--experimental-wasm-modules", "--disable-warning=ExperimentalWarning", "--import", "tsx", path.join("scripts", "stack", `${mode}.ts`), ...rest],
  { cwd: root, stdio: "inherit", detached: mode === "start" },
);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    // `test` shares our process group: the terminal already signalled it (and vitest).
    if (mode === "start" && child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
