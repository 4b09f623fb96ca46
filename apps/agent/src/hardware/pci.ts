/**
 * PCI addresses as the GPU tools and the miners spell them (FORMATS.md, "Joining miner GPUs to the
 * GPU tools"). Miners number GPUs densely and in their own order, so the agent joins a miner's GPU
 * to nvidia-smi / rocm-smi by PCI address, never by position or index.
 *
 * Canonical form, as Linux names the device in /sys/bus/pci/devices: lower-case hex, domain with
 * at least 4 digits, `0000:01:00.0`. nvidia-smi's 8-digit domain `00000000:` is shortened to
 * `0000:`; a real domain is kept (`00001580:00:00.0` → `1580:00:00.0`, Azure/Hyper-V pass-through),
 * and one above 0xffff (Intel VMD, `00010000:e1:00.0`) keeps its 5+ digits like sysfs `10000:e1:00.0`.
 */

export type PciAddress = {
  /** Null when the spelling has no domain (`01:00.0`, miners' bus numbers). */
  domain: number | null;
  bus: number;
  /** Null when the spelling gives the bus alone (NBMiner, SRBMiner, Excavator). */
  device: number | null;
  function: number | null;
};

/**
 * How a source writes its PCI id:
 * - `hex`: nvidia-smi (`00000000:01:00.0`), rocm-smi and GMiner (`0000:0A:00.0`), XMRig and nanominer (`01:00.0`);
 * - `decimal`: lolMiner `PCIE_Address` (`16:0` = bus:device), NBMiner `pci_bus_id`, SRBMiner `bus_id`,
 *   Excavator `details.bus_id` (`48` = bus alone). `"16"` means bus 0x10 in one and bus 16 in the
 *   other, so the caller must say which.
 */
export type PciSpelling = "hex" | "decimal";

const HEX_FULL = /^(?:([0-9a-f]{1,8}):)?([0-9a-f]{1,2}):([0-9a-f]{1,2})(?:\.([0-7]))?$/i;
const DEC = /^(\d{1,3})(?::(\d{1,2})(?:\.([0-7]))?)?$/;

/** Parse one spelling into its parts, or null when it is not a PCI address (empty, `busid`, -1). */
export const parsePciAddress = (raw: string | number | null | undefined, spelling: PciSpelling = "hex"): PciAddress | null => {
  if (raw === null || raw === undefined) return null;
  // Miners sometimes pad or NUL-terminate strings (T-Rex uuids); trim both.
  const text = String(raw).replace(/\0/g, "").trim();
  if (text === "") return null;
  if (spelling === "decimal") {
    const m = DEC.exec(text);
    if (!m) return null;
    const bus = Number(m[1]);
    const device = m[2] === undefined ? null : Number(m[2]);
    if (bus > 255 || (device !== null && device > 31)) return null;
    return { domain: null, bus, device, function: m[3] === undefined ? null : Number(m[3]) };
  }
  const m = HEX_FULL.exec(text);
  if (!m) return null;
  const device = Number.parseInt(m[3]!, 16);
  if (device > 31) return null;
  return {
    domain: m[1] === undefined ? null : Number.parseInt(m[1], 16),
    bus: Number.parseInt(m[2]!, 16),
    device,
    function: m[4] === undefined ? null : Number(m[4]),
  };
};

const hex = (value: number, digits: number) => value.toString(16).padStart(digits, "0");

/** `0000:01:00.0`; parts the spelling did not give are taken as 0 (one domain, device 0, function 0 is every GPU on a rig). */
export const formatPciAddress = (a: PciAddress): string =>
  `${hex(a.domain ?? 0, 4)}:${hex(a.bus, 2)}:${hex(a.device ?? 0, 2)}.${a.function ?? 0}`;

/** Any spelling to the canonical `0000:01:00.0`, or null when it is not a PCI address. */
export const normalisePciBusId = (raw: string | number | null | undefined, spelling: PciSpelling = "hex"): string | null => {
  const a = parsePciAddress(raw, spelling);
  return a ? formatPciAddress(a) : null;
};

/** The bus number alone (what `miner-stats` reports as `pciBus`), or null. */
export const pciBusNumber = (raw: string | number | null | undefined, spelling: PciSpelling = "hex"): number | null =>
  parsePciAddress(raw, spelling)?.bus ?? null;

/**
 * Whether two addresses can be the same device: every part both sides know must agree. A miner
 * that gives only the bus matches the GPU on that bus; on a multi-domain host that can be two GPUs,
 * so callers joining by bus alone must check the match is unique.
 */
export const samePciDevice = (a: PciAddress, b: PciAddress): boolean => {
  const agree = (x: number | null, y: number | null) => x === null || y === null || x === y;
  return a.bus === b.bus && agree(a.domain, b.domain) && agree(a.device, b.device) && agree(a.function, b.function);
};
