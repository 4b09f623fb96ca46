import Decimal from "decimal.js";

/** One quote of a coin: its price and whatever network figures the source publishes. */
export type CoinDay = {
  priceUsd: Decimal;
  networkHashrateHs?: Decimal | null;
  difficulty?: Decimal | null;
  blockReward?: Decimal | null;
  blockTimeS?: Decimal | null;
  blocksPerDay?: Decimal | null;
  issuancePerDay?: Decimal | null;
};

const SECONDS_PER_DAY = new Decimal(86_400);
const TWO_POW_32 = new Decimal(2).pow(32);

/**
 * Expected hashes to find one block at difficulty 1, per algorithm. Ethash-family, RandomX and
 * Autolykos define difficulty as expected hashes per block (Monero: hashrate = difficulty / 120 s).
 * Bitcoin-style targets (sha256d, and Ravencoin's kawpow, which kept Bitcoin's difficulty encoding:
 * ~7 TH/s in 2023 = difficulty ~1e5 × 2^32 / 60 s) need 2^32 hashes per unit of difficulty.
 * Algorithms left out (kheavyhash, scrypt, equihash…) throw rather than guess a factor.
 */
const HASHES_PER_DIFFICULTY: Record<string, Decimal> = {
  ethash: new Decimal(1),
  etchash: new Decimal(1),
  randomx: new Decimal(1),
  autolykos2: new Decimal(1),
  sha256d: TWO_POW_32,
  kawpow: TWO_POW_32,
};

const networkHashrate = (day: CoinDay, algorithm: string): Decimal => {
  if (day.networkHashrateHs) return day.networkHashrateHs;
  if (!day.difficulty) throw new Error(`coin quote has neither networkHashrateHs nor difficulty`);
  const factor = HASHES_PER_DIFFICULTY[algorithm.toLowerCase()];
  if (!factor) throw new Error(`no hashes-per-difficulty factor for algorithm "${algorithm}": give networkHashrateHs instead of difficulty`);
  if (!day.blockTimeS) throw new Error(`coin quote has difficulty but no blockTimeS to turn it into a network hashrate`);
  return day.difficulty.times(factor).div(day.blockTimeS);
};

const coinsPerDay = (day: CoinDay): Decimal => {
  if (day.issuancePerDay) return day.issuancePerDay;
  if (!day.blockReward) throw new Error(`coin quote has neither issuancePerDay nor blockReward`);
  if (day.blocksPerDay) return day.blocksPerDay.times(day.blockReward);
  if (!day.blockTimeS) throw new Error(`coin quote has blockReward but neither blocksPerDay nor blockTimeS`);
  return SECONDS_PER_DAY.div(day.blockTimeS).times(day.blockReward);
};

/**
 * Expected USD per H/s per day: a GPU's share of the network hashrate earns the same share of the
 * coins issued each day. Network hashrate: given, else difficulty × the algorithm's
 * hashes-per-difficulty / block time. Coins per day: issuancePerDay, else blocksPerDay × blockReward,
 * else 86400 / blockTimeS × blockReward. Throws an Error naming the missing field.
 */
export const coinUsdPerHsDay = (day: CoinDay, algorithm: string): Decimal => {
  const hashrate = networkHashrate(day, algorithm);
  if (hashrate.lte(0)) throw new Error(`network hashrate must be positive, got ${hashrate.toString()}`);
  return coinsPerDay(day).times(day.priceUsd).div(hashrate);
};
