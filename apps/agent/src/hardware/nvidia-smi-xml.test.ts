import { describe, expect, it } from "vitest";
import { readFixture } from "./fake-tools";
import type { GpuStatus } from "./gpu-status";
import { NvidiaSmiParseError, parseNvidiaSmiXml } from "./nvidia-smi-xml";

type Expected = Omit<GpuStatus, "vendor">;

// Read by hand from ../shared/fixtures/rig/nvidia-smi-xml-*.xml (element order = index).
const EXPECTED: Record<string, Expected[]> = {
  "nvidia-smi-xml-1.xml": [
    { index: 0, uuid: "GPU-e511a7b2-f9d5-ba47-9b98-853732ca6c1b", pciBusId: "0000:01:00.0", model: "GeForce GTX 1070", vramMb: 8112, vramUsedMb: 2028, tempC: 60, powerW: 119.47, powerLimitW: 180, fanPct: 41, utilPct: 100, coreClockMhz: 1923, memClockMhz: 3802, driverVersion: "384.66" },
    { index: 1, uuid: "GPU-28daffaf-8abe-aaf8-c298-4bd13aecb5e6", pciBusId: "0000:03:00.0", model: "GeForce GTX 1070", vramMb: 8114, vramUsedMb: 4057, tempC: 59, powerW: 139.3, powerLimitW: 180, fanPct: 39, utilPct: 98, coreClockMhz: 1936, memClockMhz: 3802, driverVersion: "384.66" },
  ],
  "nvidia-smi-xml-2.xml": [
    { index: 0, uuid: "GPU-c3b26f7a-8dcb-619c-fa1b-8029265a4db0", pciBusId: "1580:00:00.0", model: "Tesla K80", vramMb: 11441, vramUsedMb: 587, tempC: 64, powerW: 135.72, powerLimitW: 149, fanPct: null, utilPct: 99, coreClockMhz: 810, memClockMhz: 2505, driverVersion: "430.26" },
    { index: 1, uuid: "GPU-b01b80eb-0f18-1df0-cf88-0725bd90f1e1", pciBusId: "2df7:00:00.0", model: "Tesla K80", vramMb: 11441, vramUsedMb: 587, tempC: 69, powerW: 139.71, powerLimitW: 149, fanPct: null, utilPct: 99, coreClockMhz: 810, memClockMhz: 2505, driverVersion: "430.26" },
    { index: 2, uuid: "GPU-30bc2701-3bc2-5f35-0ebd-9867a077e138", pciBusId: "4968:00:00.0", model: "Tesla K80", vramMb: 11441, vramUsedMb: 0, tempC: 28, powerW: 32.27, powerLimitW: 149, fanPct: null, utilPct: 0, coreClockMhz: 324, memClockMhz: 324, driverVersion: "430.26" },
    { index: 3, uuid: "GPU-3341aba2-f01d-2c1f-7dd4-e389779faec2", pciBusId: "f8d6:00:00.0", model: "Tesla K80", vramMb: 11441, vramUsedMb: 0, tempC: 26, powerW: 34.44, powerLimitW: 149, fanPct: null, utilPct: 0, coreClockMhz: 324, memClockMhz: 324, driverVersion: "430.26" },
  ],
  "nvidia-smi-xml-3.xml": [
    // 595 driver: <gpu_power_readings> with average (139.62) and instant (142.33) draw; the average wins.
    { index: 0, uuid: "GPU-19d6d965-2acc-f646-00f8-4c76979aabb4", pciBusId: "0000:0c:00.0", model: "NVIDIA GeForce RTX 3080", vramMb: 10240, vramUsedMb: 9184, tempC: 27, powerW: 139.62, powerLimitW: 320, fanPct: 0, utilPct: 65, coreClockMhz: 1950, memClockMhz: 9251, driverVersion: "595.58.03" },
  ],
  "nvidia-smi-xml-4.xml": [
    // 535 driver: <gpu_power_readings><power_draw> and <current_power_limit>.
    { index: 0, uuid: "GPU-71d1acc2-662d-2166-bf9f-65272d2fc437", pciBusId: "0000:84:00.0", model: "NVIDIA GeForce RTX 4090", vramMb: 24564, vramUsedMb: 2, tempC: 40, powerW: 26.84, powerLimitW: 450, fanPct: 0, utilPct: 0, coreClockMhz: 210, memClockMhz: 405, driverVersion: "535.86.05" },
  ],
  "nvidia-smi-xml-5.xml": [
    { index: 0, uuid: "GPU-304a277d-3545-63b8-3a36-dfde3c992989", pciBusId: "0000:43:00.0", model: "Graphics Device", vramMb: 5912, vramUsedMb: 0, tempC: 40, powerW: 8.93, powerLimitW: 130, fanPct: 0, utilPct: 0, coreClockMhz: 300, memClockMhz: 405, driverVersion: "418.43" },
  ],
  "nvidia-smi-xml-h1.xml": [
    { index: 0, uuid: "GPU-57567e11-0be2-381b-5132-2ad95c262e58", pciBusId: "0000:02:00.0", model: "GeForce RTX 2080 Ti", vramMb: 10989, vramUsedMb: 0, tempC: 24, powerW: 2.12, powerLimitW: 250, fanPct: 22, utilPct: 0, coreClockMhz: 300, memClockMhz: 405, driverVersion: "410.73" },
    { index: 1, uuid: "GPU-ef1d0068-5bfd-f1e4-7e79-ff35d71d44b8", pciBusId: "0000:03:00.0", model: "GeForce RTX 2080 Ti", vramMb: 10989, vramUsedMb: 0, tempC: 24, powerW: 19.11, powerLimitW: 250, fanPct: 22, utilPct: 0, coreClockMhz: 300, memClockMhz: 405, driverVersion: "410.73" },
  ],
  "nvidia-smi-xml-h2.xml": [
    { index: 0, uuid: "GPU-12345678-aaaa-bbbb-cccc-0123456789ab", pciBusId: "0000:00:10.0", model: "NVIDIA GeForce RTX 3090", vramMb: 24576, vramUsedMb: 1, tempC: 37, powerW: 27.23, powerLimitW: 200, fanPct: 0, utilPct: 0, coreClockMhz: 0, memClockMhz: 405, driverVersion: "525.147.05" },
  ],
  "nvidia-smi-xml-h3.xml": [
    { index: 0, uuid: "GPU-fbd55ed4-1eec-4423-0a47-ad594b4333e3", pciBusId: "0000:0a:00.0", model: "NVIDIA GeForce RTX 2080", vramMb: 8192, vramUsedMb: 862, tempC: 29, powerW: 14.5, powerLimitW: 275, fanPct: 37, utilPct: 2, coreClockMhz: 193, memClockMhz: 403, driverVersion: "516.59" },
  ],
};

describe("parseNvidiaSmiXml on every captured driver generation", () => {
  it.each(Object.entries(EXPECTED))("%s", async (file, expected) => {
    const log = parseNvidiaSmiXml(await readFixture(file));
    expect(log.gpus.map((g) => g.status)).toEqual(expected.map((e) => ({ ...e, vendor: "nvidia" })));
  });
});

describe("nvidia-smi quirks", () => {
  it("indexes by element order, not minor_number (K80 VM: minors 1,2,3,0)", async () => {
    const log = parseNvidiaSmiXml(await readFixture("nvidia-smi-xml-2.xml"));
    expect(log.gpus.map((g) => [g.status.index, g.minorNumber])).toEqual([[0, 1], [1, 2], [2, 3], [3, 0]]);
    expect(log.cudaVersion).toBeNull(); // "Not Found"
  });

  it("keeps attached_gpus apart from the GPUs actually listed (trimmed file: 6 vs 2)", async () => {
    const log = parseNvidiaSmiXml(await readFixture("nvidia-smi-xml-1.xml"));
    expect([log.attachedGpus, log.gpus.length]).toEqual([6, 2]);
  });

  it("lists the processes holding each GPU", async () => {
    const log = parseNvidiaSmiXml(await readFixture("nvidia-smi-xml-1.xml"));
    expect(log.gpus[0]!.processes).toEqual([
      { pid: 1357, name: "/usr/lib/xorg/Xorg", type: "G", usedMemoryMb: 99 },
      { pid: 2384, name: "/usr/bin/gnome-shell", type: "G", usedMemoryMb: 79 },
      { pid: 3093, name: "./ethminer", type: "C", usedMemoryMb: 2283 },
    ]);
    expect(log.gpus[1]!.processes).toEqual([{ pid: 3093, name: "./ethminer", type: "C", usedMemoryMb: 2283 }]);
  });

  it("gives an empty process list for an idle GPU, and N/A memory as null (Windows sample)", async () => {
    expect(parseNvidiaSmiXml(await readFixture("nvidia-smi-xml-4.xml")).gpus[0]!.processes).toEqual([]);
    const win = parseNvidiaSmiXml(await readFixture("nvidia-smi-xml-h3.xml")).gpus[0]!;
    expect(win.minorNumber).toBeNull();
    expect(win.processes).toHaveLength(26);
    expect(win.processes![1]).toEqual({ pid: 10808, name: "", type: "C+G", usedMemoryMb: null });
  });

  it("turns every placeholder spelling into null, never 0", () => {
    const xml = `<?xml version="1.0" ?>
<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v12.dtd">
<nvidia_smi_log><driver_version>[N/A]</driver_version>
  <gpu id="00000000:01:00.0"><product_name>NVIDIA H100 80GB HBM3</product_name><uuid>[Unknown Error]</uuid>
    <fan_speed>[Not Supported]</fan_speed>
    <fb_memory_usage><total>81559 MiB</total><used>[GPU requires reset]</used></fb_memory_usage>
    <utilization><gpu_util>Unknown Error</gpu_util></utilization>
    <temperature><gpu_temp>N/A</gpu_temp></temperature>
    <gpu_power_readings><power_draw>[Insufficient Permissions]</power_draw><instant_power_draw>71.50 W</instant_power_draw><current_power_limit>Requested functionality has been deprecated</current_power_limit></gpu_power_readings>
    <clocks><graphics_clock>N/A</graphics_clock><mem_clock>2619 KB/s</mem_clock></clocks>
    <processes>N/A</processes>
  </gpu></nvidia_smi_log>`;
    const [gpu] = parseNvidiaSmiXml(xml).gpus;
    expect(gpu!.status).toEqual({
      index: 0, uuid: null, pciBusId: "0000:01:00.0", vendor: "nvidia", model: "NVIDIA H100 80GB HBM3", vramMb: 81559, vramUsedMb: null,
      tempC: null, powerW: 71.5, powerLimitW: null, fanPct: null, utilPct: null, coreClockMhz: null, memClockMhz: null, driverVersion: null,
    });
    expect(gpu!.processes).toBeNull(); // no list: the caller cannot call the GPU free
  });

  it("rejects output that is not nvidia-smi XML", () => {
    expect(() => parseNvidiaSmiXml("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.")).toThrow(NvidiaSmiParseError);
    expect(() => parseNvidiaSmiXml('<?xml version="1.0" ?>\n<nvidia_smi_log><gpu id="00000000:01:00.0"><uuid>GPU-1')).toThrow(NvidiaSmiParseError);
    expect(() => parseNvidiaSmiXml("<html><body>502</body></html>")).toThrow(/root element is <html>/);
  });

  it("does not expand DOCTYPE entities (no XXE)", () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><nvidia_smi_log><gpu id="00000000:3B:00.0"><product_name>&e;</product_name></gpu></nvidia_smi_log>`;
    expect(parseNvidiaSmiXml(xml).gpus[0]!.status.model).toBe("&e;");
  });
});
