import { drawW } from "../power-cap";
import { createReplay, type Totals } from "../replay";
import { IDLE, aiCode, isAi, newSchedule, stepStartMs, workloadOf, type Schedule, type World } from "../world";

/**
 * Every GPU a waiting workload fits runs it, first come first served (priority first); a workload
 * runs to the end once started; a GPU with no work idles. Placement keeps the site under its cap.
 */
export const alwaysAi = (world: World): { schedule: Schedule; totals: Totals } => {
  const G = world.gpus.length;
  const replay = createReplay(world);
  const schedule = newSchedule(world);
  const queue = [...world.workloads].sort((a, b) => b.priority - a.priority || a.arrivalMs - b.arrivalMs);
  for (let s = 0; s < world.steps; s++) {
    const codes = schedule.subarray(s * G, (s + 1) * G);
    const running = new Set<number>();
    for (let g = 0; g < G; g++) {
      const code = replay.entering[g]!;
      codes[g] = isAi(world, code) ? code : IDLE;
      if (isAi(world, code)) running.add(workloadOf(world, code));
    }
    const draw = new Float64Array(world.sites.length);
    codes.forEach((code, g) => (draw[world.gpus[g]!.siteIndex]! += drawW(world, g, code)));
    for (const wl of queue) {
      if (running.has(wl.index) || !replay.isOpen(wl.index, s)) continue;
      // Start only what can finish before its deadline.
      if (wl.deadlineMs !== null && stepStartMs(world, s) + (wl.workMin - replay.doneMin[wl.index]!) * 60_000 > wl.deadlineMs) continue;
      const chosen = pickGpus(world, codes, draw, wl.index);
      if (!chosen) continue;
      for (const g of chosen) {
        codes[g] = aiCode(world, wl.index);
        const gpu = world.gpus[g]!;
        draw[gpu.siteIndex]! += gpu.model.aiW - gpu.model.idleW;
      }
      running.add(wl.index);
    }
    replay.step(s, codes);
  }
  return { schedule, totals: replay.totals() };
};

/** Free GPUs with the VRAM a workload needs, on one rig when it asks, within each site's power headroom. */
const pickGpus = (world: World, codes: Int32Array, draw: Float64Array, w: number): number[] | null => {
  const wl = world.workloads[w]!;
  const headroom = Float64Array.from(world.sites, (site, i) => site.capW - draw[i]!);
  const fits = (g: number) => codes[g] === IDLE && world.gpus[g]!.model.vramGb >= wl.minVramGb;
  const take = (candidates: number[]) => {
    const room = Float64Array.from(headroom);
    const out: number[] = [];
    for (const g of candidates) {
      const gpu = world.gpus[g]!;
      const extra = gpu.model.aiW - gpu.model.idleW;
      if (room[gpu.siteIndex]! < extra) continue;
      room[gpu.siteIndex]! -= extra;
      out.push(g);
      if (out.length === wl.gpus) return out;
    }
    return null;
  };
  const free = [...codes.keys()].filter(fits);
  if (!wl.sameRig) return take(free);
  const rigs = [...new Set(free.map((g) => world.gpus[g]!.rigId))];
  for (const rig of rigs) {
    const got = take(free.filter((g) => world.gpus[g]!.rigId === rig));
    if (got) return got;
  }
  return null;
};
