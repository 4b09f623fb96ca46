import type { World } from "./world";

// Float $/h of each option of a GPU at a step, the way the planner scores (floats for speed);
// the books (replay.ts) recompute every amount in decimals.

export const idleUsdPerHour = (world: World, g: number, s: number) => {
  const gpu = world.gpus[g]!;
  return (-gpu.model.idleW / 1000) * world.sites[gpu.siteIndex]!.usdPerKwhF[s]!;
};

export const hashUsdPerHour = (world: World, g: number, opt: { coinIndex: number; hs: number; w: number }, s: number, extraUsdPerKwh = 0) => {
  const gpu = world.gpus[g]!;
  return (opt.hs * world.coins[opt.coinIndex]!.usdPerHsDayF[s]!) / 24 - (opt.w / 1000) * (world.sites[gpu.siteIndex]!.usdPerKwhF[s]! + extraUsdPerKwh);
};

export const aiUsdPerHour = (world: World, g: number, w: number, s: number) => {
  const gpu = world.gpus[g]!;
  return world.workloads[w]!.usdPerGpuHourF - (gpu.model.aiW / 1000) * world.sites[gpu.siteIndex]!.usdPerKwhF[s]!;
};

/** The coin that nets most for this GPU at this step (whether or not it beats idling), or null. */
export const bestHash = (world: World, g: number, s: number): { coinIndex: number; usdPerHour: number } | null => {
  let best: { coinIndex: number; usdPerHour: number } | null = null;
  for (const opt of world.gpus[g]!.hash) {
    const v = hashUsdPerHour(world, g, opt, s);
    if (!best || v > best.usdPerHour) best = { coinIndex: opt.coinIndex, usdPerHour: v };
  }
  return best;
};
