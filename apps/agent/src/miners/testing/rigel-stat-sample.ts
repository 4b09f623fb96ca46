/**
 * No Rigel capture is stored with the rig fixtures. This response follows the field layout that public
 * integrations read from Rigel's GET /stat (UG-Miner Includes/MinerAPIs/Rigel.ps1; a TypeScript Rigel
 * monitor's typed MinerAppStatistics, see rigel.ts); the numbers are made up for this test.
 */
export const RIGEL_STAT = {
  name: "rigel",
  version: "1.15.0",
  os_name: "linux",
  cuda_driver: "12.2",
  uptime: 5400,
  algorithm: "octopus+sha512256d",
  watchdog: "on",
  pools: {},
  devices: [
    {
      id: 0, selected: true, name: "NVIDIA GeForce RTX 3070", total_mem: 8589934592, pci_address: "0000:0a:00.0", state: "mining",
      solution_stat: { octopus: { accepted: 40, rejected: 1, invalid: 0 }, sha512256d: { accepted: 900, rejected: 0, invalid: 0 } },
      monitoring_info: { core_temperature: 61, memory_temperature: 0, fan_speed: 55, power_usage: 180.5, core_clock: 1500, core_clock_offset: 0, memory_clock: 7000, memory_clock_offset: 0 },
      hashrate: { octopus: 61000000, sha512256d: 900000000 },
      pool_hashrate: {}, dual_ratio: "", tune: {}, crash_count: 0,
    },
    {
      id: 1, selected: false, name: "NVIDIA GeForce GTX 1050", total_mem: 2147483648, pci_address: "0000:0b:00.0", state: "idle",
      solution_stat: {}, monitoring_info: { core_temperature: 35, memory_temperature: 0, fan_speed: 0, power_usage: 5, core_clock: 0, core_clock_offset: 0, memory_clock: 0, memory_clock_offset: 0 },
      hashrate: {}, pool_hashrate: {}, dual_ratio: "", tune: {}, crash_count: 0,
    },
  ],
  solution_stat: { octopus: { accepted: 40, rejected: 1, invalid: 0 }, sha512256d: { accepted: 900, rejected: 0, invalid: 0 } },
  hashrate: { octopus: 61000000, sha512256d: 900000000 },
  pool_hashrate: {},
  power_usage: 180.5,
};

