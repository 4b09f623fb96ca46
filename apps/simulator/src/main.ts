// `npm run simulate -- --scenario FILE [--json] [--schedule-out FILE] [--score FILE]`: replay a
// scenario under the policy and the baselines and print their figures (docs/scenario.md).
import { writeFileSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ScenarioError, loadScenario } from "./load-scenario";
import { ScheduleError, scoreSchedule } from "./replay";
import { buildReport, formatReport, strategyFigures } from "./report";
import { scheduleFromCsv, scheduleToCsv } from "./schedule-csv";
import { scenarioJsonSchema } from "./scenario-schema";
import { simulate } from "./simulate";

const USAGE = "usage: npm run simulate -- --scenario FILE [--json] [--schedule-out FILE] [--score SCHEDULE.csv] | --schema";

const main = () => {
  const { values } = parseArgs({
    options: { scenario: { type: "string" }, json: { type: "boolean", default: false }, "schedule-out": { type: "string" }, score: { type: "string" }, schema: { type: "boolean" }, help: { type: "boolean" } },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  // The scenario format's JSON Schema, as docs/scenario.md embeds it.
  if (values.schema) return void process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  if (!values.scenario) throw new UsageError(`--scenario is required\n${USAGE}`);
  const world = loadScenario(values.scenario);

  if (values.score) {
    // Re-score a schedule written by --schedule-out (or by another tool) with the same books.
    const totals = scoreSchedule(world, scheduleFromCsv(world, readFileSync(values.score, "utf8"), values.score));
    const figures = { scenario: world.name, schedule: values.score, ...strategyFigures(totals) };
    return void process.stdout.write(`${values.json ? JSON.stringify(figures) : Object.entries(figures).map(([k, v]) => `${k}: ${v}`).join("\n")}\n`);
  }

  const sim = simulate(world);
  const report = buildReport(sim);
  if (values["schedule-out"]) writeFileSync(values["schedule-out"], scheduleToCsv(world, sim.results.policy.schedule));
  process.stdout.write(`${values.json ? JSON.stringify(report) : formatReport(report)}\n`);
};

class UsageError extends Error {}

try {
  main();
} catch (err) {
  // Expected failures (bad arguments, scenario or schedule) get one clear line; anything else its stack.
  const known = err instanceof UsageError || err instanceof ScenarioError || err instanceof ScheduleError;
  process.stderr.write(`${known ? (err as Error).message : ((err as Error).stack ?? String(err))}\n`);
  process.exitCode = known ? 2 : 1;
}
