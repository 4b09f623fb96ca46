import { bestHash } from "../option-values";
import { fitPowerCap } from "../power-cap";
import { IDLE, hashCode, newSchedule, type Schedule, type World } from "../world";

/** Every GPU hashes the coin that nets most for it at each step, profitable or not; idle only when its site is curtailed or over its cap. */
export const alwaysHashSchedule = (world: World): Schedule => {
  const G = world.gpus.length;
  const schedule = newSchedule(world);
  for (let s = 0; s < world.steps; s++) {
    const codes = schedule.subarray(s * G, (s + 1) * G);
    for (let g = 0; g < G; g++) {
      const best = bestHash(world, g, s);
      codes[g] = best && !world.sites[world.gpus[g]!.siteIndex]!.curtailed[s] ? hashCode(world, best.coinIndex) : IDLE;
    }
    fitPowerCap(world, s, codes);
  }
  return schedule;
};
