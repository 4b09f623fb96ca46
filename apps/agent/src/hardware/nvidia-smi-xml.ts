import { intQuantity, quantity, textOrNull, type GpuProcess, type GpuStatus } from "./gpu-status";
import { normalisePciBusId } from "./pci";
import { findChild, findText, parseXml, XmlError, type XmlElement } from "./xml";

export type NvidiaSmiGpu = {
  status: GpuStatus;
  /** Processes the driver lists on the GPU; null when it gives no list (`<processes>N/A</processes>`). */
  processes: GpuProcess[] | null;
  /** /dev/nvidiaN; not the index (the Tesla K80 sample runs 1,2,3,0). */
  minorNumber: number | null;
};

export type NvidiaSmiLog = {
  driverVersion: string | null;
  cudaVersion: string | null;
  /** What the driver says is attached; can exceed `gpus.length` in a trimmed file. */
  attachedGpus: number | null;
  gpus: NvidiaSmiGpu[];
};

export class NvidiaSmiParseError extends Error {
  override name = "NvidiaSmiParseError";
}

/** The first of several elements (older and newer DTD names) in a block that holds a number. */
const firstQuantity = (block: XmlElement | null, names: readonly string[], unit: string): number | null => {
  for (const name of names) {
    const value = quantity(findText(block, [name]), unit);
    if (value !== null) return value;
  }
  return null;
};

/**
 * Power moved between driver generations: `<power_readings><power_draw>` up to 530,
 * `<gpu_power_readings><power_draw>` in 535, then `average_power_draw` / `instant_power_draw` (550+).
 * The newer block wins when a driver writes both; draw prefers the 1 s average nvidia-smi itself
 * reports as `power.draw`, over the instant sample.
 */
const readPower = (gpu: XmlElement) => {
  const blocks = [findChild(gpu, "gpu_power_readings"), findChild(gpu, "power_readings")].filter((b) => b !== null);
  let powerW: number | null = null;
  let powerLimitW: number | null = null;
  for (const block of blocks) {
    powerW ??= firstQuantity(block, ["power_draw", "average_power_draw", "instant_power_draw"], "W");
    powerLimitW ??= firstQuantity(block, ["current_power_limit", "power_limit", "enforced_power_limit"], "W");
  }
  return { powerW, powerLimitW };
};

const readProcesses = (gpu: XmlElement): GpuProcess[] | null => {
  const list = findChild(gpu, "processes");
  if (!list) return null;
  const infos = list.children.filter((c) => c.name === "process_info");
  if (infos.length === 0 && textOrNull(list.text) === null && list.text.trim() !== "") return null;
  return infos.flatMap((p) => {
    const pid = intQuantity(findText(p, ["pid"]));
    if (pid === null) return [];
    return [
      {
        pid,
        name: findText(p, ["process_name"]) ?? "",
        type: textOrNull(findText(p, ["type"])),
        usedMemoryMb: intQuantity(findText(p, ["used_memory"]), "MiB"),
      },
    ];
  });
};

/**
 * Parse `nvidia-smi -q -x`. The index of each GPU is its position in the document: nvidia-smi
 * writes GPUs in its own index order (by PCI bus id), which is the number `nvidia-smi -i N` takes.
 * It is not `minor_number` and not CUDA's default FASTEST_FIRST order.
 */
export const parseNvidiaSmiXml = (xml: string): NvidiaSmiLog => {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (err) {
    if (err instanceof XmlError) throw new NvidiaSmiParseError(`not nvidia-smi XML: ${err.message}`);
    throw err;
  }
  if (root.name !== "nvidia_smi_log") throw new NvidiaSmiParseError(`not nvidia-smi XML: root element is <${root.name}>`);
  const driverVersion = textOrNull(findText(root, ["driver_version"]));
  const gpus = root.children
    .filter((c) => c.name === "gpu")
    .map((gpu, index): NvidiaSmiGpu => {
      const { powerW, powerLimitW } = readPower(gpu);
      return {
        status: {
          index,
          uuid: textOrNull(findText(gpu, ["uuid"])),
          pciBusId: normalisePciBusId(gpu.attrs.id) ?? normalisePciBusId(findText(gpu, ["pci", "pci_bus_id"])),
          vendor: "nvidia",
          model: textOrNull(findText(gpu, ["product_name"])),
          vramMb: intQuantity(findText(gpu, ["fb_memory_usage", "total"]), "MiB"),
          vramUsedMb: intQuantity(findText(gpu, ["fb_memory_usage", "used"]), "MiB"),
          tempC: quantity(findText(gpu, ["temperature", "gpu_temp"]), "C"),
          powerW,
          powerLimitW,
          fanPct: quantity(findText(gpu, ["fan_speed"]), "%"),
          utilPct: quantity(findText(gpu, ["utilization", "gpu_util"]), "%"),
          coreClockMhz: intQuantity(findText(gpu, ["clocks", "graphics_clock"]), "MHz"),
          memClockMhz: intQuantity(findText(gpu, ["clocks", "mem_clock"]), "MHz"),
          driverVersion,
        },
        processes: readProcesses(gpu),
        minorNumber: intQuantity(findText(gpu, ["minor_number"])),
      };
    });
  return {
    driverVersion,
    cudaVersion: textOrNull(findText(root, ["cuda_version"])),
    attachedGpus: intQuantity(findText(root, ["attached_gpus"])),
    gpus,
  };
};
