import { fetchGminerStats } from "./gminer";
import { fetchLolminerStats } from "./lolminer";
import type { MinerKind, MinerStatsDriver } from "./miner-stats";
import { fetchNbminerStats } from "./nbminer";
import { fetchRigelStats } from "./rigel";
import { fetchSrbminerStats } from "./srbminer";
import { fetchTeamRedMinerStats } from "./teamredminer";
import { fetchTrexStats } from "./trex";
import { fetchXmrigStats } from "./xmrig";

/** One stats driver per supported miner; a new miner without a driver is a type error here. */
export const MINER_STATS_DRIVERS: Record<MinerKind, MinerStatsDriver> = {
  xmrig: fetchXmrigStats,
  lolminer: fetchLolminerStats,
  trex: fetchTrexStats,
  gminer: fetchGminerStats,
  nbminer: fetchNbminerStats,
  teamredminer: fetchTeamRedMinerStats,
  srbminer: fetchSrbminerStats,
  rigel: fetchRigelStats,
};
