import { hashUsdPerHour, idleUsdPerHour } from "./option-values";
import { IDLE, coinOf, isAi, isHash, type World } from "./world";

export const drawW = (world: World, g: number, code: number) => {
  const gpu = world.gpus[g]!;
  if (isHash(world, code)) return gpu.hash.find((h) => h.coinIndex === coinOf(world, code))!.w;
  if (isAi(world, code)) return gpu.model.aiW;
  return gpu.model.idleW;
};

/**
 * Keep each site under its power cap at a step: idle the hashing GPUs that give up least per kW
 * freed until the site fits. AI work is left alone (its placement checked the headroom).
 */
export const fitPowerCap = (world: World, s: number, codes: Int32Array) => {
  const draw = new Float64Array(world.sites.length);
  codes.forEach((code, g) => (draw[world.gpus[g]!.siteIndex]! += drawW(world, g, code)));
  world.sites.forEach((site, i) => {
    if (draw[i]! <= site.capW) return;
    const hashing = [...codes.keys()]
      .filter((g) => world.gpus[g]!.siteIndex === i && isHash(world, codes[g]!))
      .map((g) => {
        const opt = world.gpus[g]!.hash.find((h) => h.coinIndex === coinOf(world, codes[g]!))!;
        const freedW = opt.w - world.gpus[g]!.model.idleW;
        const lossPerKw = (hashUsdPerHour(world, g, opt, s) - idleUsdPerHour(world, g, s)) / Math.max(freedW / 1000, 1e-9);
        return { g, freedW, lossPerKw };
      })
      .sort((a, b) => a.lossPerKw - b.lossPerKw);
    for (const h of hashing) {
      if (draw[i]! <= site.capW) break;
      codes[h.g] = IDLE;
      draw[i]! -= h.freedW;
    }
  });
};
