import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, it } from "vitest";
import { buildWorld } from "./load-scenario";
import { realTraceScenario, type RealTraceOptions } from "./real-trace-scenario";
import { ZScenario } from "./scenario-schema";
import { simulate } from "./simulate";
import { expectTargets } from "./testing";

// Real traces, read where they are (never copied into the project): see their SOURCES.md.
const F = (name: string) => resolve(import.meta.dirname, "../../../../shared/fixtures/market", name);
const hashrates = F("gpu_mining_hashrates_reference.csv");
const rentalA = F("gpu_rental_datacenter_2025-10-19_2025-11-01.csv");
const rentalB = F("gpu_rental_datacenter_2025-11-02_2025-11-16.csv");

const CASES: Omit<RealTraceOptions, "hashrates">[] = [
  {
    name: "PJM western hub RT 2025-05/06 + ETC",
    timezone: "America/New_York",
    energy: F("electricity_pjm_western_hub_rt_hourly_2025-05_2025-06.csv"),
    coins: [{ file: F("coins_daily_etc_2025-05_2025-06.csv"), coin: "ETC", algorithm: "etchash" }],
    rental: rentalA,
  },
  {
    name: "Nord Pool DK1 2023-05/06 (EUR) + ETC and XMR",
    timezone: "Europe/Copenhagen",
    energy: F("electricity_nordpool_dk1_dayahead_hourly_2023-05_2023-06.csv"),
    coins: [
      { file: F("coins_daily_2023-05_2023-06.csv"), coin: "ETC", algorithm: "etchash" },
      { file: F("coins_daily_2023-05_2023-06.csv"), coin: "XMR", algorithm: "randomx" },
    ],
    rental: rentalB,
  },
  {
    name: "Nord Pool DK2 2022 energy crisis + ETC and XMR across the Ethereum merge",
    timezone: "Europe/Copenhagen",
    energy: F("electricity_nordpool_dk2_dayahead_hourly_2022-08-20_2022-10-19.csv"),
    coins: [
      { file: F("coins_daily_2022-09-02_2022-10-15.csv"), coin: "ETC", algorithm: "etchash" },
      { file: F("coins_daily_2022-09-02_2022-10-15.csv"), coin: "XMR", algorithm: "randomx" },
    ],
    rental: rentalA,
  },
  {
    name: "PJM Dominion hub RT 2025-07 + ETC",
    timezone: "America/New_York",
    energy: F("electricity_pjm_dominion_hub_rt_hourly_2025-07.csv"),
    coins: [{ file: F("coins_daily_etc_2025-07.csv"), coin: "ETC", algorithm: "etchash" }],
    rental: rentalB,
  },
  {
    name: "PJM Dominion hub day-ahead 2025-07 + ETC",
    timezone: "America/New_York",
    energy: F("electricity_pjm_dominion_hub_da_hourly_2025-07.csv"),
    coins: [{ file: F("coins_daily_etc_2025-07.csv"), coin: "ETC", algorithm: "etchash" }],
    rental: rentalA,
  },
];

describe("scenarios over real market traces", () => {
  it.each(CASES)("$name meets the targets", (c) => {
    const scenario = ZScenario.parse(realTraceScenario({ ...c, hashrates }));
    const world = buildWorld(scenario, { name: c.name, readTrace: (path) => ({ path, text: readFileSync(path, "utf8") }) });
    expectTargets(simulate(world));
  }, 60_000);
});
