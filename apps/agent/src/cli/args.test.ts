import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG_PATH, parseCli } from "./args";

describe("CLI arguments", () => {
  it("parses enroll with ';'-separated model names that contain spaces", () => {
    expect(
      parseCli(["enroll", "--server", "https://rigshift.example.com/", "--token", "t0ken", "--simulate", "NVIDIA GeForce RTX 3090; AMD Radeon RX 6800;"]),
    ).toEqual({
      command: "enroll",
      server: "https://rigshift.example.com",
      token: "t0ken",
      configPath: DEFAULT_CONFIG_PATH,
      simulate: ["NVIDIA GeForce RTX 3090", "AMD Radeon RX 6800"],
    });
  });

  it("takes the config path from --config, else RIGSHIFT_AGENT_CONFIG, else the default", () => {
    expect(parseCli(["run", "--config", "/etc/a.json"], { RIGSHIFT_AGENT_CONFIG: "/etc/b.json" })).toEqual({ command: "run", configPath: "/etc/a.json" });
    expect(parseCli(["run"], { RIGSHIFT_AGENT_CONFIG: "/etc/b.json" })).toEqual({ command: "run", configPath: "/etc/b.json" });
    expect(parseCli(["run"])).toEqual({ command: "run", configPath: "./rigshift-agent.json" });
  });

  it.each([
    [[], /missing command/],
    [["mine"], /unknown command "mine"/],
    [["enroll", "--token", "t"], /enroll needs --server/],
    [["enroll", "--server", "https://x.example"], /enroll needs --token/],
    [["enroll", "--server", "not a url", "--token", "t"], /--server must be a URL/],
    [["enroll", "--server", "ftp://x.example", "--token", "t"], /--server must be http/],
    [["enroll", "--server", "https://x.example", "--token", "t", "--simulate", "NVIDIA GeForce RTX 5090"], /unknown simulated GPU model/],
    [["enroll", "--server", "https://x.example", "--token", "t", "--simulate", " ; "], /at least one GPU model/],
    [["run", "--server", "https://x.example"], /--server is not an option of run/],
    [["run", "--verbose"], /Unknown option '--verbose'/],
    [["run", "extra"], /unexpected argument "extra"/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });

  it("exits 2 with the usage text on a wrong command", () => {
    const root = resolve(import.meta.dirname, "../../../..");
    const result = spawnSync(join(root, "node_modules/.bin/tsx"), [join(root, "apps/agent/src/main.ts"), "enrol"], { cwd: root, encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown command "enrol"');
    expect(result.stderr).toContain("Usage: rigshift-agent <command>");
    expect(result.stdout).toBe("");
  }, 20_000);
});
