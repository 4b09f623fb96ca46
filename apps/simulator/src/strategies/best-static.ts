import { hashUsdPerHour, idleUsdPerHour } from "../option-values";
import { fitPowerCap } from "../power-cap";
import { IDLE, hashCode, newSchedule, type Schedule, type World } from "../world";

/**
 * One fixed choice per GPU for the whole run (idle, or one coin), the best such in hindsight;
 * a curtailed site still stops it, and a miner restarted after that warms up again.
 */
export const bestStaticSchedule = (world: World): Schedule => {
  const G = world.gpus.length;
  const stepH = world.stepMin / 60;
  const schedule = newSchedule(world);
  for (let g = 0; g < G; g++) {
    const gpu = world.gpus[g]!;
    const curtailed = world.sites[gpu.siteIndex]!.curtailed;
    let bestCode = IDLE;
    let bestTotal = 0;
    for (let s = 0; s < world.steps; s++) bestTotal += idleUsdPerHour(world, g, s) * stepH;
    for (const opt of gpu.hash) {
      let total = 0;
      let running = false;
      for (let s = 0; s < world.steps; s++) {
        if (curtailed[s]) {
          total += idleUsdPerHour(world, g, s) * stepH;
          running = false;
          continue;
        }
        total += hashUsdPerHour(world, g, opt, s) * stepH;
        if (!running) total -= (opt.hs * world.coins[opt.coinIndex]!.usdPerHsDayF[s]! * Math.min(world.hashWarmupMin, world.stepMin)) / 1440;
        running = true;
      }
      if (total > bestTotal) {
        bestTotal = total;
        bestCode = hashCode(world, opt.coinIndex);
      }
    }
    for (let s = 0; s < world.steps; s++) schedule[s * G + g] = curtailed[s] ? IDLE : bestCode;
  }
  for (let s = 0; s < world.steps; s++) fitPowerCap(world, s, schedule.subarray(s * G, (s + 1) * G));
  return schedule;
};
