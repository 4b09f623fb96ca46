import { spawn } from "node:child_process";
import path from "node:path";

/** The repository root and the agent's CLI entry, for tests that run the real command line. */
export const REPO_ROOT = path.resolve(import.meta.dirname, "../../../..");
export const AGENT_MAIN = path.join(REPO_ROOT, "apps/agent/src/main.ts");

export type CliRun = { code: number | null; stdout: string; stderr: string; ms: number };

/** `rigshift-agent ARGS` from source (`node --import tsx apps/agent/src/main.ts`), as a user runs it. */
export const runAgentCli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> =>
  new Promise((done) => {
    const started = Date.now();
    const child = spawn(process.execPath, ["--import", "tsx", AGENT_MAIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // "close", not "exit": the output is complete only once the pipes are.
    child.on("close", (code) => done({ code, stdout, stderr, ms: Date.now() - started }));
  });
