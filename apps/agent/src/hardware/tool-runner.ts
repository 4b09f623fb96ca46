import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

export const DEFAULT_TOOL_TIMEOUT_MS = 10_000;
/** An 8-GPU `nvidia-smi -q -x` is under 1 MB; anything far beyond that is not a GPU tool talking. */
export const DEFAULT_TOOL_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export type RunToolOptions = {
  command: string;
  args: readonly string[];
  timeoutMs?: number;
  maxOutputBytes?: number;
  env?: NodeJS.ProcessEnv;
};

export type ToolFailure = "NOT_FOUND" | "SPAWN_FAILED" | "TIMEOUT" | "OUTPUT_TOO_LARGE" | "EXIT_CODE" | "SIGNAL";

export type ToolResult =
  | { ok: true; stdout: string; stderr: string; durationMs: number }
  | {
      ok: false;
      failure: ToolFailure;
      /** One line a person can act on: "nvidia-smi timed out after 10000 ms". */
      reason: string;
      stdout: string;
      stderr: string;
      exitCode: number | null;
      durationMs: number;
    };

/** The last lines of a tool's message, for a reason line; tools print pages on failure. */
const tail = (text: string, max = 300) => {
  const t = text.trim().replace(/\s+/g, " ");
  return t.length > max ? `…${t.slice(-max)}` : t;
};

/**
 * Run a GPU tool and collect its output. Never throws and never waits past the timeout: a hung
 * nvidia-smi (a GPU that fell off the bus leaves it stuck in the driver) would otherwise stall
 * telemetry for the whole rig. The tool runs in its own process group so a shell wrapper and its
 * children are killed together.
 */
export const runTool = ({ command, args, timeoutMs = DEFAULT_TOOL_TIMEOUT_MS, maxOutputBytes = DEFAULT_TOOL_MAX_OUTPUT_BYTES, env }: RunToolOptions): Promise<ToolResult> =>
  new Promise((done) => {
    const started = performance.now();
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString("utf8");
    const finish = (result: ToolResult) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      done(result);
    };
    const fail = (failure: ToolFailure, reason: string, exitCode: number | null = null) =>
      finish({ ok: false, failure, reason, stdout: text(stdout), stderr: text(stderr), exitCode, durationMs: Math.round(performance.now() - started) });

    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, [...args], { detached: true, stdio: ["ignore", "pipe", "pipe"], env: env ?? process.env });
    } catch (err) {
      return fail("SPAWN_FAILED", `${command} could not be started: ${(err as Error).message}`);
    }

    const killGroup = () => {
      // Let go of the pipes too: a process stuck in the kernel ignores even SIGKILL, and its open
      // pipes would keep this process (the `gpus` command) from ever exiting.
      child.stdout?.destroy();
      child.stderr?.destroy();
      child.unref();
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch (err) {
        // ESRCH: the group is already gone, which is what we wanted.
        if ((err as NodeJS.ErrnoException).code !== "ESRCH") child.kill("SIGKILL");
      }
    };

    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxOutputBytes) {
        killGroup();
        fail("OUTPUT_TOO_LARGE", `${command} printed more than ${maxOutputBytes} bytes`);
        return;
      }
      into.push(chunk);
    };
    child.stdout?.on("data", collect(stdout));
    child.stderr?.on("data", collect(stderr));

    child.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") fail("NOT_FOUND", `${command} not found`);
      else if (err.code === "EACCES") fail("SPAWN_FAILED", `${command} is not executable`);
      else fail("SPAWN_FAILED", `${command} could not be started: ${err.message}`);
    });

    // "close" (not "exit") so all output has been read.
    child.on("close", (code, signal) => {
      if (code === 0) {
        finish({ ok: true, stdout: text(stdout), stderr: text(stderr), durationMs: Math.round(performance.now() - started) });
      } else if (code !== null) {
        const said = tail(text(stderr)) || tail(text(stdout));
        fail("EXIT_CODE", `${command} exited with code ${code}${said ? `: ${said}` : ""}`, code);
      } else {
        fail("SIGNAL", `${command} was killed by ${signal ?? "a signal"}`);
      }
    });

    timer = setTimeout(() => {
      killGroup();
      // Resolve now rather than on "close", which a process stuck in the kernel never sends.
      fail("TIMEOUT", `${command} timed out after ${timeoutMs} ms`);
    }, timeoutMs);
  });

const isExecutableFile = (path: string) => {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * Where `name` would run from: a path (anything with a slash) as given, a bare name looked up on
 * PATH. Null when there is no such executable, so a rig without AMD GPUs skips rocm-smi quietly.
 */
export const findExecutable = (name: string, pathEnv: string | undefined, cwd = process.cwd()): string | null => {
  if (name.includes("/")) {
    const path = isAbsolute(name) ? name : resolve(cwd, name);
    return isExecutableFile(path) ? path : null;
  }
  for (const dir of (pathEnv ?? "").split(delimiter)) {
    if (dir === "") continue;
    const path = join(dir, name);
    if (isExecutableFile(path)) return path;
  }
  return null;
};
