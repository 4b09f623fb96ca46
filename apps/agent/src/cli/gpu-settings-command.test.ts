import { describe, expect, it } from "vitest";
import { catFixture, createFakeToolDir, type FakeToolDir } from "../hardware/fake-tools";
import { runAgentCli } from "../testing/run-agent-cli";
import { runGpuSettingsCommand, type GpuSettingsCommand } from "./gpu-settings-command";


/** nvidia-smi replaying a real -q -x capture and answering tuning calls as the driver does; argv recorded. */
const fakeNvidiaSmi = (tools: FakeToolDir, xmlFixture: string) =>
  tools.recording(
    "nvidia-smi",
    `case "$1 $2" in
  "-q -x") ${catFixture(xmlFixture)} ;;
  *) case "$3" in
       -pl) echo "Power limit for GPU 00000000:03:00.0 was set to $4 W from 180.00 W."; echo "All done." ;;
       -lgc) echo "GPU clocks set to \\"(gpcclk $4)\\" for GPU 00000000:01:00.0"; echo "All done." ;;
       -lmc) echo "Setting locked memory clocks is not supported for GPU 00000000:01:00.0."; echo "Treating as warning and moving on."; exit 3 ;;
       *) echo "All done." ;;
     esac ;;
esac`,
  );
const fakeRocmSmi = (tools: FakeToolDir, jsonFixture: string) =>
  tools.recording("rocm-smi", `case "$1" in -d) echo "GPU[$2] : Successfully set power to: $4W" ;; *) ${catFixture(jsonFixture)} ;; esac`);

const run = async (command: GpuSettingsCommand, argv: string[]) => {
  let stdout = "";
  let stderr = "";
  const code = await runGpuSettingsCommand(command, argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: { PATH: "" } });
  return { code, stdout, stderr };
};

/** The recorded calls that tune a GPU (nvidia-smi -i ID …, rocm-smi -d N …), not the reads. */
const tuningCalls = async (tools: FakeToolDir, tool: "nvidia-smi" | "rocm-smi") =>
  (await tools.argvOf(tool)).filter((a) => a[0] === (tool === "nvidia-smi" ? "-i" : "-d"));

describe("rigshift-agent set-power-limit", () => {
  it("sets an NVIDIA limit by the GPU's UUID and prints the tool's words", async () => {
    const tools = await createFakeToolDir();
    const nvidiaSmi = await fakeNvidiaSmi(tools, "nvidia-smi-xml-1.xml");
    expect(await run("set-power-limit", ["--gpu", "1", "--watts", "150", "--nvidia-smi", nvidiaSmi])).toEqual({
      code: 0,
      stdout: "ok: Power limit for GPU 00000000:03:00.0 was set to 150 W from 180.00 W.\nAll done.\n",
      stderr: "",
    });
    // Rig index 1 of nvidia-smi-xml-1.xml is the GTX 1070 on bus 03.
    expect(await tuningCalls(tools, "nvidia-smi")).toEqual([["-i", "GPU-28daffaf-8abe-aaf8-c298-4bd13aecb5e6", "-pl", "150"]]);
  });

  it("sets an AMD limit on rocm-smi's card number, as JSON", async () => {
    const tools = await createFakeToolDir();
    const argv = ["--gpu", "2", "--watts", "180", "--nvidia-smi", await fakeNvidiaSmi(tools, "nvidia-smi-xml-1.xml"), "--rocm-smi", await fakeRocmSmi(tools, "rocm-smi-json-4.json"), "--json"];
    expect(await run("set-power-limit", argv)).toEqual({ code: 0, stdout: '{"ok":true,"message":"GPU[1] : Successfully set power to: 180W"}\n', stderr: "" });
    expect(await tuningCalls(tools, "rocm-smi")).toEqual([["-d", "1", "--setpoweroverdrive", "180"]]);
  });

  it("a refusal, an unknown GPU or no tool at all is 'failed:' and exit 1", async () => {
    const tools = await createFakeToolDir();
    const nvidiaSmi = await tools.recording(
      "nvidia-smi",
      `case "$1" in -q) ${catFixture("nvidia-smi-xml-h1.xml")} ;; *) echo "Changing power management limit is not supported for GPU: 00000000:02:00.0."; exit 3 ;; esac`,
    );
    expect(await run("set-power-limit", ["--gpu", "0", "--watts", "200", "--nvidia-smi", nvidiaSmi])).toEqual({
      code: 1,
      stdout: `failed: ${nvidiaSmi} exited with code 3: Changing power management limit is not supported for GPU: 00000000:02:00.0.\n`,
      stderr: "",
    });
    expect(await run("set-power-limit", ["--gpu", "7", "--watts", "200", "--nvidia-smi", nvidiaSmi])).toMatchObject({ code: 1, stdout: "failed: no GPU at index 7\n" });
    expect(await run("set-power-limit", ["--gpu", "0", "--watts=-5", "--nvidia-smi", nvidiaSmi])).toMatchObject({ code: 1, stdout: "failed: power limit must be between 0 and 2000 W, got -5\n" });
    expect(await tuningCalls(tools, "nvidia-smi")).toHaveLength(1);
    // Neither tool named nor on PATH.
    expect(await run("set-power-limit", ["--gpu", "0", "--watts", "200"])).toMatchObject({ code: 1, stdout: "failed: no GPU at index 0\n" });
  });

  it("bad arguments: usage on stderr, exit 2, nothing run", async () => {
    for (const argv of [["--watts", "150"], ["--gpu", "x", "--watts", "150"], ["--gpu", "0"], ["--gpu", "0", "--watts", "lots"], ["--gpu", "0", "--watts", "1", "--core", "1,2"]]) {
      const out = await run("set-power-limit", argv);
      expect(out.code).toBe(2);
      expect(out.stdout).toBe("");
      expect(out.stderr).toContain("Usage: rigshift-agent set-power-limit");
    }
  });
});

describe("rigshift-agent set-clocks", () => {
  it("locks core clocks and resets memory clocks, one nvidia-smi call each", async () => {
    const tools = await createFakeToolDir();
    const nvidiaSmi = await fakeNvidiaSmi(tools, "nvidia-smi-xml-1.xml");
    expect(await run("set-clocks", ["--gpu", "0", "--core", "1200,1500", "--mem", "reset", "--nvidia-smi", nvidiaSmi])).toEqual({
      code: 0,
      stdout: 'ok: GPU clocks set to "(gpcclk 1200,1500)" for GPU 00000000:01:00.0\nAll done.\nAll done.\n',
      stderr: "",
    });
    const uuid = "GPU-e511a7b2-f9d5-ba47-9b98-853732ca6c1b";
    expect(await tuningCalls(tools, "nvidia-smi")).toEqual([["-i", uuid, "-lgc", "1200,1500"], ["-i", uuid, "-rmc"]]);
  });

  it("reports the tool refusing a memory lock, exit 1", async () => {
    const tools = await createFakeToolDir();
    const nvidiaSmi = await fakeNvidiaSmi(tools, "nvidia-smi-xml-1.xml");
    const out = await run("set-clocks", ["--gpu", "0", "--mem", "5000,7000", "--nvidia-smi", nvidiaSmi, "--json"]);
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout)).toEqual({
      ok: false,
      message: `${nvidiaSmi} exited with code 3: Setting locked memory clocks is not supported for GPU 00000000:01:00.0.\nTreating as warning and moving on.`,
    });
  });

  it("AMD clocks are refused before any call; bad ranges are usage errors", async () => {
    const tools = await createFakeToolDir();
    const argv = ["--gpu", "2", "--core", "1000,1500", "--nvidia-smi", await fakeNvidiaSmi(tools, "nvidia-smi-xml-1.xml"), "--rocm-smi", await fakeRocmSmi(tools, "rocm-smi-json-4.json")];
    expect(await run("set-clocks", argv)).toMatchObject({ code: 1, stdout: "failed: setting clocks is not supported on AMD GPUs yet\n" });
    expect(await tuningCalls(tools, "rocm-smi")).toEqual([]);
    expect(await run("set-clocks", ["--gpu", "0"])).toMatchObject({ code: 2, stderr: expect.stringContaining("set-clocks needs --core and/or --mem") });
    expect(await run("set-clocks", ["--gpu", "0", "--core", "1500"])).toMatchObject({ code: 2, stderr: expect.stringContaining('--core takes MIN,MAX in MHz or "reset", got "1500"') });
  });

  it("runs through the real CLI entry point", { timeout: 30_000 }, async () => {
    const tools = await createFakeToolDir();
    const nvidiaSmi = await fakeNvidiaSmi(tools, "nvidia-smi-xml-1.xml");
    const { code, stdout, stderr } = await runAgentCli(["set-power-limit", "--gpu", "1", "--watts", "150", "--nvidia-smi", nvidiaSmi]);
    const out = { code, stdout, stderr };
    expect(out).toEqual({ code: 0, stdout: "ok: Power limit for GPU 00000000:03:00.0 was set to 150 W from 180.00 W.\nAll done.\n", stderr: "" });
  });
});
