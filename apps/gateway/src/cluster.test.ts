import { describe, expect, it } from "vitest";
import { workerExecArgv } from "./cluster";

describe("workerExecArgv", () => {
  it("runs workers with the primary's flags and the configured semi-space", () => {
    expect(workerExecArgv(["--import", "tsx"], 64)).toEqual(["--import", "tsx", "--max-semi-space-size=64"]);
  });

  it("leaves V8's semi-space alone at 0", () => {
    expect(workerExecArgv(["--import", "tsx"], 0)).toEqual(["--import", "tsx"]);
  });

  it("keeps a semi-space the operator gave the primary", () => {
    expect(workerExecArgv(["--max-semi-space-size=8", "--import", "tsx"], 64)).toEqual(["--max-semi-space-size=8", "--import", "tsx"]);
    expect(workerExecArgv(["--max-semi-space-size", "8"], 64)).toEqual(["--max-semi-space-size", "8"]);
  });
});
