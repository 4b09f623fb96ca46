import { describe, expect, it } from "vitest";
import { formatChildLine, summarisePinoLine } from "../../tooling/stack/log-lines";

describe("summarisePinoLine", () => {
  it("shortens a pino line to level, message and its own fields", () => {
    const line = JSON.stringify({ level: 30, time: 1767225600000, pid: 42, hostname: "rig", msg: "gpu mode changed", rigId: "r1", to: "AI" });
    expect(summarisePinoLine(line, { colour: false })).toBe("INFO  gpu mode changed rigId=r1 to=AI");
  });

  it("keeps an error's message, and its stack when the level is error", () => {
    const line = JSON.stringify({ level: 50, msg: "job failed", err: { message: "boom", stack: "Error: boom\n    at a (x.ts:1:1)\n    at b (y.ts:2:2)" } });
    expect(summarisePinoLine(line, { colour: false })).toBe("ERROR job failed err=boom\n    at a (x.ts:1:1)\n    at b (y.ts:2:2)");
  });

  it("leaves lines that are not pino JSON alone", () => {
    expect(summarisePinoLine("  ▲ Next.js 16.4.6")).toBeNull();
    expect(summarisePinoLine("{not json")).toBeNull();
    expect(summarisePinoLine(JSON.stringify({ some: "json" }))).toBeNull();
  });

  it("cuts long values", () => {
    const out = summarisePinoLine(JSON.stringify({ level: 30, msg: "m", body: "x".repeat(200) }), { colour: false })!;
    expect(out.length).toBeLessThan(100);
    expect(out.endsWith("…")).toBe(true);
  });
});

describe("formatChildLine", () => {
  it("prefixes the child's name", () => {
    expect(formatChildLine("gateway", "listening", { colour: false, width: 10 })).toBe("gateway   │ listening");
  });

  it("colours the name and summarises pino lines", () => {
    const out = formatChildLine("scheduler", JSON.stringify({ level: 40, msg: "slow" }), { colourIndex: 1 });
    expect(out).toContain("\x1b[35mscheduler");
    expect(out).toContain("WARN");
    expect(out).toContain("slow");
  });
});
