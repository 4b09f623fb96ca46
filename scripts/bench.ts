// `npm run bench [-- NAME…]`: run the benchmarks in scripts/bench/<name>.ts (all of them when none
// is named), one process each so one benchmark's heap and children never skew the next.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { generatePrismaClient } from "../tooling/stack/steps";

const BENCH_DIR = resolve(import.meta.dirname, "bench");

export const listBenchmarks = (dir = BENCH_DIR): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts"))
    .map((e) => e.name.slice(0, -".ts".length))
    .sort();

const available = listBenchmarks();
const asked = process.argv.slice(2);
const unknown = asked.filter((n) => !available.includes(n));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}\navailable: ${available.join(", ")}\n`);
  process.exit(2);
}

// Ctrl-C reaches the running benchmark too (same process group): it cleans up and exits; we wait for it.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => {});

// The Prisma client is generated, not committed: after a bare `npm ci` nothing has made it yet.
// Its log goes to stderr: stdout is the benchmarks' tables and JSON lines.
await generatePrismaClient((line) => process.stderr.write(`${line}\n`), process.stderr.isTTY);

let failed = 0;
for (const name of asked.length > 0 ? asked : available) {
  const child = spawn(process.execPath, ["--import", "tsx", join(BENCH_DIR, `${name}.ts`)], { stdio: "inherit" });
  const code = await new Promise<number | null>((done) => child.on("exit", (c) => done(c)));
  if (code !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
