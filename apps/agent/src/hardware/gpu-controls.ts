import { DEFAULT_TOOL_TIMEOUT_MS, runTool, type ToolResult } from "./tool-runner";

/** What a tuning command did, with the tool's own words (it says why: "Insufficient Permissions", out of range). */
export type ControlResult = { ok: boolean; message: string };

export type ClockRange = { minMhz: number; maxMhz: number };
/** A range locks the clock between the two values; "reset" gives the clock back to the driver. */
export type ClockSettings = { core?: ClockRange | "reset"; mem?: ClockRange | "reset" };

/** Which GPU a tuning call targets, as the tool names it. */
export type ToolTarget =
  | { vendor: "nvidia"; command: string; /** `-i` value: the UUID, or nvidia-smi's index when there is none. */ id: string }
  | { vendor: "amd"; command: string; /** rocm-smi `-d` card number. */ card: number };

const outputOf = (result: ToolResult) => [result.stdout, result.stderr].map((s) => s.trim()).filter((s) => s !== "").join("\n");

const run = async (command: string, args: string[], timeoutMs: number): Promise<ControlResult> => {
  const result = await runTool({ command, args, timeoutMs });
  const output = outputOf(result);
  if (result.ok) return { ok: true, message: output || `${command} ${args.join(" ")}: done` };
  return { ok: false, message: result.failure === "EXIT_CODE" && output ? `${command} exited with code ${result.exitCode}: ${output}` : result.reason };
};

const invalid = (message: string): ControlResult => ({ ok: false, message });

/** `nvidia-smi -i ID -pl W` / `rocm-smi -d N --setpoweroverdrive W`. Needs root on a real rig; the tool says so if not. */
export const setPowerLimit = (target: ToolTarget, watts: number, timeoutMs = DEFAULT_TOOL_TIMEOUT_MS): Promise<ControlResult> => {
  if (!Number.isFinite(watts) || watts <= 0 || watts > 2000) return Promise.resolve(invalid(`power limit must be between 0 and 2000 W, got ${watts}`));
  if (target.vendor === "nvidia") return run(target.command, ["-i", target.id, "-pl", String(watts)], timeoutMs);
  // rocm-smi takes whole watts.
  return run(target.command, ["-d", String(target.card), "--setpoweroverdrive", String(Math.round(watts))], timeoutMs);
};

const validRange = (r: ClockRange) => Number.isInteger(r.minMhz) && Number.isInteger(r.maxMhz) && r.minMhz > 0 && r.minMhz <= r.maxMhz;

/**
 * Lock clocks: `nvidia-smi -i ID -lgc MIN,MAX` (core) and `-lmc MIN,MAX` (memory, Ampere and newer),
 * `-rgc` / `-rmc` to reset. One tool call per clock, in that order; stops at the first failure.
 * AMD clocks go through performance levels (`--setsclk`), which this does not drive yet.
 */
export const setClocks = async (target: ToolTarget, clocks: ClockSettings, timeoutMs = DEFAULT_TOOL_TIMEOUT_MS): Promise<ControlResult> => {
  if (target.vendor === "amd") return invalid("setting clocks is not supported on AMD GPUs yet");
  if (clocks.core === undefined && clocks.mem === undefined) return invalid("no clock to set");
  const calls: string[][] = [];
  for (const [value, lock, reset, what] of [
    [clocks.core, "-lgc", "-rgc", "core"],
    [clocks.mem, "-lmc", "-rmc", "memory"],
  ] as const) {
    if (value === undefined) continue;
    if (value === "reset") calls.push(["-i", target.id, reset]);
    else if (!validRange(value)) return invalid(`${what} clock range must be whole MHz with 0 < min <= max, got ${value.minMhz},${value.maxMhz}`);
    else calls.push(["-i", target.id, lock, `${value.minMhz},${value.maxMhz}`]);
  }
  const messages: string[] = [];
  for (const args of calls) {
    const result = await run(target.command, args, timeoutMs);
    messages.push(result.message);
    if (!result.ok) return { ok: false, message: messages.join("\n") };
  }
  return { ok: true, message: messages.join("\n") };
};
