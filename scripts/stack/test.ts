// `npm test` (via scripts/bootstrap.mjs): PostgreSQL and Redis (found or started), the Prisma
// client, the web build the browser tests need, then each vitest project in turn. Ends with one
// line, "N passed, N failed", and a non-zero exit on any failure. Extra arguments go to vitest.
import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import vitestConfig from "../../vitest.config";
import { repoRoot, stateDir } from "../../tooling/stack/paths";
import { resolveServices } from "../../tooling/stack/services";
import { buildWebIfStale, generatePrismaClient, makeLog, runAttached } from "../../tooling/stack/steps";
import { combineRuns, planVitestRuns, summariseVitestReport, type VitestSummary } from "../../tooling/stack/vitest-report";

const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const output = (line: string) => process.stdout.write(`${line}\n`);
const log = makeLog(output, colour);

// Ctrl-C reaches vitest directly (same terminal); we only have to outlive it to stop services.
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    interrupted = true;
    log(`${signal}: stopping after the current vitest run`);
  });
}

const projectNames = (vitestConfig.test?.projects ?? []).flatMap((p) =>
  typeof p === "object" && p !== null && "test" in p && p.test?.name ? [String(p.test.name)] : [],
);

let exitCode = 1;
let stopServices = async () => {};
try {
  const services = await resolveServices({ env: process.env, stateDir, log, output, colour });
  stopServices = services.stop;
  await generatePrismaClient(output, colour);

  // A failed build fails the run, but the unit and integration tests still say what they say.
  let buildFailed = false;
  await buildWebIfStale(output, colour, log).catch((err: unknown) => {
    buildFailed = true;
    log(`web build failed, browser tests will fail: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
  });

  await mkdir(stateDir, { recursive: true });
  const vitest = path.join(repoRoot, "node_modules/vitest/vitest.mjs");
  const env = {
    ...process.env,
    NODE_OPTIONS: "--experimental-wasm-modules --disable-warning=ExperimentalWarning",
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
  };
  const runs: { exitCode: number; summary: VitestSummary | null }[] = [];
  for (const [i, args] of planVitestRuns(process.argv.slice(2), projectNames).entries()) {
    if (interrupted) break;
    const reportFile = path.join(stateDir, `vitest-report-${i}.json`);
    await rm(reportFile, { force: true });
    const code = await runAttached(process.execPath, [vitest, "run", "--reporter=default", "--reporter=json", `--outputFile.json=${reportFile}`, ...args], env);
    const summary = existsSync(reportFile) ? summariseVitestReport(JSON.parse(await readFile(reportFile, "utf8"))) : null;
    if (!summary) log(`vitest ${args.join(" ")} wrote no report (exit code ${code})`);
    runs.push({ exitCode: code, summary });
  }
  const total = combineRuns(runs);
  if (buildFailed) log("the web build failed (see above)");
  exitCode = total.failed > 0 || buildFailed || interrupted || runs.length === 0 ? 1 : 0;
  output(`${total.passed} passed, ${total.failed + (buildFailed && total.failed === 0 ? 1 : 0)} failed`);
} catch (err) {
  log(err instanceof Error ? err.message : String(err));
  output("0 passed, 1 failed");
} finally {
  await stopServices().catch(() => {});
}
process.exit(exitCode);
