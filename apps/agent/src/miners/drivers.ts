import { fetchClaymoreStats } from "./claymore";
import { fetchExcavatorStats } from "./excavator";
import { fetchGminerStats } from "./gminer";
import { fetchLolminerStats } from "./lolminer";
import type { MinerStatsDriver, MinerStatsKind } from "./miner-stats";
import { fetchMinizStats } from "./miniz";
import { fetchNanominerStats } from "./nanominer";
import { fetchNbminerStats } from "./nbminer";
import { fetchRigelStats } from "./rigel";
import { fetchSrbminerStats } from "./srbminer";
import { fetchTeamRedMinerStats } from "./teamredminer";
import { fetchTrexStats } from "./trex";
import { fetchXmrigStats } from "./xmrig";

/** One stats driver per supported miner; a new miner without a driver is a type error here. */
export const MINER_STATS_DRIVERS: Record<MinerStatsKind, MinerStatsDriver> = {
  xmrig: fetchXmrigStats,
  lolminer: fetchLolminerStats,
  trex: fetchTrexStats,
  gminer: fetchGminerStats,
  nbminer: fetchNbminerStats,
  teamredminer: fetchTeamRedMinerStats,
  srbminer: fetchSrbminerStats,
  rigel: fetchRigelStats,
  claymore: fetchClaymoreStats,
  excavator: fetchExcavatorStats,
  miniz: fetchMinizStats,
  nanominer: fetchNanominerStats,
};
