import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ZAgentConfigFile } from "@rigshift/config";
import { FakeGateway } from "../testing/fake-gateway";
import { parseCli } from "./args";
import { EnrollError } from "./enroll";
import { runInstallCommand } from "./install";

let gateway: FakeGateway | null = null;
afterEach(async () => {
  await gateway?.stop();
  gateway = null;
});

const tempRoot = () => mkdtemp(join(tmpdir(), "rigshift-install-"));
const mode = async (path: string) => (await stat(path)).mode & 0o777;

/** A stand-in for dist/rigshift-agent.mjs, so the test does not depend on a build. */
const fakeBundle = async () => {
  const path = join(await mkdtemp(join(tmpdir(), "rigshift-bundle-")), "rigshift-agent.mjs");
  await writeFile(path, "#!/usr/bin/env node\nconsole.log('agent');\n");
  return path;
};

const install = async (argv: string[], io: { bundlePath?: string | null; uid?: number } = {}) => {
  let out = "";
  const cmd = parseCli(["install", ...argv]);
  if (cmd.command !== "install") throw new Error("not an install command");
  const execs: string[][] = [];
  await runInstallCommand(cmd, {
    stdout: (t) => (out += t),
    hostname: "rig-07",
    bundlePath: io.bundlePath ?? null,
    uid: io.uid ?? 1000,
    exec: async (file, args) => void execs.push([file, ...args]),
  });
  return { out, execs };
};

describe("rigshift-agent install --root", () => {
  it("enrols and writes the config, spool, agent and systemd unit under the root", async () => {
    const gw = (gateway = await new FakeGateway().start());
    const root = await tempRoot();
    const bundle = await fakeBundle();

    const { out, execs } = await install(["--server", gw.url, "--token", gw.enrollToken, "--root", root, "--simulate", "NVIDIA GeForce RTX 3060"], { bundlePath: bundle });

    expect(gw.enrollRequests).toEqual([{ token: gw.enrollToken, hostname: "rig-07", agentVersion: "0.1.0" }]);
    // Not the live system: no user is created, the operator is told how.
    expect(execs).toEqual([]);
    expect(out).toContain(`Enrolled rig ${gw.rigId}`);
    expect(out).toContain("useradd --system");
    expect(out).toContain("systemctl daemon-reload && systemctl enable --now rigshift-agent.service");

    const configPath = join(root, "etc/rigshift/agent.json");
    const config = ZAgentConfigFile.parse(JSON.parse(await readFile(configPath, "utf8")));
    expect(config).toMatchObject({
      server: gw.url, rigId: gw.rigId, rigToken: gw.rigToken, intervalS: 5,
      simulate: ["NVIDIA GeForce RTX 3060"],
      // Absolute as the installed system sees it, not below the temp root.
      spool: { dir: "/var/lib/rigshift/spool" },
    });
    expect(await mode(configPath)).toBe(0o600);
    expect((await stat(join(root, "var/lib/rigshift/spool"))).isDirectory()).toBe(true);

    const agentPath = join(root, "opt/rigshift/rigshift-agent.mjs");
    expect(await readFile(agentPath, "utf8")).toBe(await readFile(bundle, "utf8"));
    expect(await mode(agentPath)).toBe(0o755);

    const unitPath = join(root, "etc/systemd/system/rigshift-agent.service");
    expect(await mode(unitPath)).toBe(0o644);
    const unit = await readFile(unitPath, "utf8");
    const directives = unit.split("\n").filter((l) => /^[A-Za-z]+=/.test(l));
    expect(directives).toEqual(
      expect.arrayContaining([
        "ExecStart=/usr/bin/env node /opt/rigshift/rigshift-agent.mjs run --config /etc/rigshift/agent.json",
        "Restart=always",
        "RestartSec=5",
        "User=rigshift",
        "NoNewPrivileges=true",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/rigshift/spool",
        // The temp root has no /etc/group to check, so both AMD groups are named.
        "SupplementaryGroups=video render",
        "WantedBy=multi-user.target",
      ]),
    );
    expect(unit).not.toContain(root);
    expect(unit).not.toMatch(/^PrivateDevices=/m);
  });

  it("names only the GPU groups the target system has", async () => {
    const gw = (gateway = await new FakeGateway().start());
    const root = await tempRoot();
    await mkdir(join(root, "etc"));
    await writeFile(join(root, "etc/group"), "root:x:0:\nvideo:x:44:\nplugdev:x:46:\n");
    await install(["--server", gw.url, "--token", gw.enrollToken, "--root", root]);
    const unit = await readFile(join(root, "etc/systemd/system/rigshift-agent.service"), "utf8");
    expect(unit).toMatch(/^SupplementaryGroups=video$/m);
  });

  it("says how to get the agent file when run from source without a build", async () => {
    const gw = (gateway = await new FakeGateway().start());
    const root = await tempRoot();
    const { out } = await install(["--server", gw.url, "--token", gw.enrollToken, "--root", root], { bundlePath: null });
    expect(out).toContain("NOT copied");
    expect(out).toContain("npm run build");
    await expect(stat(join(root, "opt/rigshift/rigshift-agent.mjs"))).rejects.toThrow(/ENOENT/);
    expect(await mode(join(root, "etc/rigshift/agent.json"))).toBe(0o600);
  });

  it("writes nothing when the server refuses the token", async () => {
    const gw = (gateway = await new FakeGateway().start());
    const root = await tempRoot();
    await expect(install(["--server", gw.url, "--token", "wrong-token-0123456789", "--root", root], { bundlePath: await fakeBundle() })).rejects.toThrow(
      new EnrollError("enrolment token is unknown, used or expired"),
    );
    expect(await readdir(root)).toEqual([]);
  });

  it("refuses to install into / without root, before spending the token", async () => {
    const gw = (gateway = await new FakeGateway().start());
    await expect(install(["--server", gw.url, "--token", gw.enrollToken], { uid: 1000 })).rejects.toThrow(/installing into \/ needs root/);
    expect(gw.enrollRequests).toEqual([]);
  });

  it("needs --server and --token, and takes --root", () => {
    expect(() => parseCli(["install", "--token", "t"])).toThrow(/install needs --server/);
    expect(() => parseCli(["install", "--server", "https://x.example"])).toThrow(/install needs --token/);
    expect(() => parseCli(["install", "--server", "https://x.example", "--token", "t", "--config", "/x.json"])).toThrow(/--config is not an option of install/);
    expect(parseCli(["install", "--server", "https://x.example/", "--token", "t"])).toEqual({
      command: "install", server: "https://x.example", token: "t", root: "/", simulate: null,
    });
  });
});
