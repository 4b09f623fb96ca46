import Decimal from "decimal.js";

/** Expected hashing revenue per hour: hashrate × the coin's USD per H/s per day / 24. */
export const hashingUsdPerHour = ({ hs, usdPerHsDay }: { hs: Decimal; usdPerHsDay: Decimal }): Decimal => hs.times(usdPerHsDay).div(24);

/** Energy cost per hour of a constant load: W / 1000 = kWh per hour, × the price per kWh. */
export const energyCostPerHour = ({ watts, perKwh }: { watts: Decimal; perKwh: Decimal }): Decimal => watts.div(1000).times(perKwh);
