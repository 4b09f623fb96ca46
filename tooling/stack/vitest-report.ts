/** The counts `npm test` prints last, from vitest's JSON reporter (Jest's format). */
export type VitestSummary = { passed: number; failed: number; skipped: number };

type JsonReport = {
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  testResults?: { status?: string; assertionResults?: { status?: string }[] }[];
};

/**
 * A file that fails to load (a syntax error, a throwing beforeAll) fails without a failed test
 * of its own: count each such file as one failure, so a broken file can never read as green.
 */
export const summariseVitestReport = (report: JsonReport): VitestSummary => {
  const brokenFiles = (report.testResults ?? []).filter(
    (file) => file.status === "failed" && !(file.assertionResults ?? []).some((a) => a.status === "failed"),
  ).length;
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + brokenFiles,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
};

/**
 * Vitest runs of `npm test`: one per project, in the config's order, unless the caller picked
 * projects with --project. Separate runs because vitest refuses one run over projects with
 * different maxWorkers and the same sequence.groupOrder, and because integration (2 workers)
 * and e2e (one file at a time, the whole stack) should not compete with each other for 2 cores.
 */
export const planVitestRuns = (args: readonly string[], projects: readonly string[]): string[][] => {
  if (args.some((a) => a === "--project" || a.startsWith("--project="))) return [[...args]];
  return projects.map((name) => ["--project", name, "--passWithNoTests", ...args]);
};

/** Add up the runs; a run that failed (non-zero exit) without a failed test still counts one. */
export const combineRuns = (runs: { exitCode: number; summary: VitestSummary | null }[]): VitestSummary =>
  runs.reduce<VitestSummary>(
    (total, { exitCode, summary }) => {
      const failed = summary?.failed ?? 0;
      return {
        passed: total.passed + (summary?.passed ?? 0),
        failed: total.failed + (exitCode !== 0 && failed === 0 ? 1 : failed),
        skipped: total.skipped + (summary?.skipped ?? 0),
      };
    },
    { passed: 0, failed: 0, skipped: 0 },
  );
