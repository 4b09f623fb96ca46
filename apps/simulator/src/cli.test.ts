import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { scenarioJsonSchema } from "./scenario-schema";

const ROOT = resolve(import.meta.dirname, "../../..");
const SCENARIO = resolve(ROOT, "apps/simulator/scenarios/capped-quarter-hours.json");
const simulateCli = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "apps/simulator/src/main.ts", ...args], { cwd: ROOT, encoding: "utf8" });
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!);

describe("npm run simulate", () => {
  it("prints the figures as one JSON object on the last line, and the schedule re-scores to the same net", () => {
    const dir = mkdtempSync(join(tmpdir(), "rigshift-sim-"));
    const scheduleFile = join(dir, "policy.csv");
    const run = simulateCli("--scenario", SCENARIO, "--json", "--schedule-out", scheduleFile);
    expect(run.status, run.stderr).toBe(0);
    const report = lastJson(run.stdout);
    expect(report).toMatchObject({ scenario: "capped-quarter-hours", days: 7, gpus: 24 });
    for (const name of ["policy", "alwaysHash", "alwaysAi", "bestStatic", "hindsight"]) {
      expect(report[name].netUsd).toMatch(/^-?\d+\.\d\d$/);
      expect(report[name].hashRevenueUsd).toMatch(/^-?\d+\.\d\d$/);
    }
    expect(typeof report.ratioToHindsight).toBe("number");

    const csv = readFileSync(scheduleFile, "utf8").trim().split("\n");
    expect(csv[0]).toBe("ts,gpuId,mode,coin,workloadId");
    expect(csv.length - 1).toBe(24 * 7 * 96); // one row per GPU per step

    const rescored = simulateCli("--scenario", SCENARIO, "--score", scheduleFile, "--json");
    expect(rescored.status, rescored.stderr).toBe(0);
    expect(lastJson(rescored.stdout).netUsd).toBe(report.policy.netUsd);
  }, 60_000);

  it("prints a table by default", () => {
    const run = simulateCli("--scenario", resolve(ROOT, "apps/simulator/scenarios/two-sites-spikes.json"));
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/strategy\s+net USD\s+revenue USD/);
    expect(run.stdout).toMatch(/policy \/ hindsight: \d+\.\d %/);
    expect(run.stdout).toMatch(/reference FX rates assumed \(USD per unit\): SEK 0.095/);
  }, 60_000);

  it("names the field of a bad scenario and exits 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "rigshift-sim-"));
    const scenario = JSON.parse(readFileSync(SCENARIO, "utf8"));
    scenario.rigs[1].gpus[0].model = "RTX 9090";
    scenario.sites[0].energy.trace = resolve(ROOT, "apps/simulator/scenarios", scenario.sites[0].energy.trace);
    writeFileSync(join(dir, "bad.json"), JSON.stringify(scenario));
    const run = simulateCli("--scenario", join(dir, "bad.json"));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('rigs.1.gpus.0.model: no gpuModel "RTX 9090"');
  }, 60_000);

  it("names the file and line of a bad trace cell", () => {
    const dir = mkdtempSync(join(tmpdir(), "rigshift-sim-"));
    const scenario = JSON.parse(readFileSync(SCENARIO, "utf8"));
    writeFileSync(join(dir, "energy.csv"), "ts,price_per_mwh\n2026-05-11T00:00:00Z,40\n2026-05-11T00:15:00Z,4O\n");
    scenario.sites[0].energy.trace = "energy.csv";
    writeFileSync(join(dir, "bad-trace.json"), JSON.stringify(scenario));
    const run = simulateCli("--scenario", join(dir, "bad-trace.json"));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/energy\.csv, line 3, column 2: price_per_mwh: expected a decimal number, got "4O"/);
  }, 60_000);
});

describe("docs/scenario.md", () => {
  it("embeds the JSON Schema the code validates with", () => {
    const doc = readFileSync(resolve(ROOT, "docs/scenario.md"), "utf8");
    const embedded = doc.split("## JSON Schema")[1]!.split("```json\n")[1]!.split("\n```")[0]!;
    // Regenerate with: npm run simulate -- --schema
    expect(JSON.parse(embedded)).toEqual(scenarioJsonSchema());
  });
});
