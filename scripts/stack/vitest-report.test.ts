import { describe, expect, it } from "vitest";
import { combineRuns, planVitestRuns, summariseVitestReport } from "../../tooling/stack/vitest-report";
import { buildIsStale } from "../../tooling/stack/web-build";

describe("summariseVitestReport", () => {
  it("counts passed and failed tests", () => {
    expect(summariseVitestReport({ numPassedTests: 41, numFailedTests: 2, numPendingTests: 1, numTodoTests: 0 })).toEqual({ passed: 41, failed: 2, skipped: 1 });
  });

  it("counts a file that failed to load as a failure", () => {
    const report = {
      numPassedTests: 3,
      numFailedTests: 1,
      testResults: [
        { status: "passed", assertionResults: [{ status: "passed" }, { status: "passed" }] },
        { status: "failed", assertionResults: [{ status: "passed" }, { status: "failed" }] },
        { status: "failed", assertionResults: [] },
      ],
    };
    expect(summariseVitestReport(report)).toEqual({ passed: 3, failed: 2, skipped: 0 });
  });
});

describe("buildIsStale", () => {
  it("builds when there is no build, or a source is newer than it", () => {
    expect(buildIsStale(null, 0)).toBe(true);
    expect(buildIsStale(1_000, 2_000)).toBe(true);
    expect(buildIsStale(2_000, 1_000)).toBe(false);
  });
});

describe("planVitestRuns", () => {
  it("runs each project in turn, passing the caller's arguments on", () => {
    expect(planVitestRuns(["packages/db"], ["unit", "integration"])).toEqual([
      ["--project", "unit", "--passWithNoTests", "packages/db"],
      ["--project", "integration", "--passWithNoTests", "packages/db"],
    ]);
  });

  it("leaves the choice to the caller who names projects", () => {
    expect(planVitestRuns(["--project=e2e"], ["unit", "e2e"])).toEqual([["--project=e2e"]]);
    expect(planVitestRuns(["--project", "unit"], ["unit", "e2e"])).toEqual([["--project", "unit"]]);
  });
});

describe("combineRuns", () => {
  it("adds the runs up and counts a run that failed without a failed test as one failure", () => {
    expect(
      combineRuns([
        { exitCode: 0, summary: { passed: 10, failed: 0, skipped: 1 } },
        { exitCode: 1, summary: { passed: 4, failed: 2, skipped: 0 } },
        { exitCode: 1, summary: null },
        { exitCode: 1, summary: { passed: 0, failed: 0, skipped: 0 } },
      ]),
    ).toEqual({ passed: 14, failed: 4, skipped: 1 });
  });
});
