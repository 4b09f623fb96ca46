import { spawn } from "node:child_process";
import { runToCompletion, type Output } from "./child";
import { BOLD, formatChildLine } from "./log-lines";
import { repoRoot } from "./paths";
import { webBuildIsStale } from "./web-build";

/** Steps `npm start` and `npm test` share before anything runs. */

export const makeLog = (output: Output, colour: boolean) => (line: string) =>
  output(formatChildLine("rigshift", line, { colourCode: BOLD, colour }));

/** The Prisma client is generated, not committed: (re)generate it from the schema. */
export const generatePrismaClient = (output: Output, colour: boolean) =>
  runToCompletion({
    name: "db:generate",
    command: process.execPath,
    args: ["--import", "tsx", "scripts/db-generate.ts"],
    cwd: repoRoot,
    env: process.env,
    output,
    colour,
  });

/** `next build` when the build is missing or older than the sources; returns whether it built. */
export const buildWebIfStale = async (output: Output, colour: boolean, log: (line: string) => void) => {
  if (!webBuildIsStale(repoRoot)) {
    log("web app build is up to date");
    return false;
  }
  log("building the web app (next build)…");
  await runToCompletion({
    name: "web build",
    command: "npm",
    args: ["run", "build", "-w", "@rigshift/web"],
    cwd: repoRoot,
    // A leaked NODE_OPTIONS (wasm flag) is harmless but noisy in every worker next forks.
    env: { ...process.env, NODE_OPTIONS: "", NEXT_TELEMETRY_DISABLED: "1" },
    output,
    colour,
  });
  return true;
};

/** Run a command attached to this terminal (vitest draws its own output); resolves its exit code. */
export const runAttached = (command: string, args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<number>((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, env, stdio: "inherit" });
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.once("error", () => resolve(127));
  });
