import { powerW, Stage, targetUsdPerHour, type PlanState } from "./plan-state";
import { targetLabel, usdPerHour } from "./target-key";

type Item = { gpus: number[]; extraW: number; gainUsdPerHour: number; workloadId: string | null };

/**
 * Keep each site under its power cap. Pinned and maintenance GPUs and running AI work are not moved
 * (they may hold the site above its cap on their own); everything else that draws more than idling
 * is ranked by margin per kW over idling and kept while it fits, the rest demoted to idle. A new
 * multi-GPU workload is kept or demoted whole.
 */
export const enforcePowerCaps = (s: PlanState): void => {
  const bySite = new Map<string, number[]>();
  s.gpus.forEach((g, i) => {
    const list = bySite.get(g.siteId);
    if (list) list.push(i);
    else bySite.set(g.siteId, [i]);
  });

  const demotedWorkloads = new Map<string, string>();
  for (const [siteId, idx] of bySite) {
    const site = s.sites.get(siteId)!;
    const capW = site.powerCapKw * 1000;
    let total = 0;
    for (const i of idx) total += powerW(s, i, s.target[i]!);
    if (total <= capW) continue;

    let budgetW = capW;
    const items: Item[] = [];
    const aiItems = new Map<string, Item>();
    for (const i of idx) {
      const t = s.target[i]!;
      const stage = s.stage[i]!;
      if (stage === Stage.FIXED || stage === Stage.AI_KEPT) {
        budgetW -= powerW(s, i, t);
        continue;
      }
      const idleW = s.score[i]!.idleW;
      budgetW -= idleW;
      if (t.mode === "IDLE") continue;
      const extraW = powerW(s, i, t) - idleW;
      const gain = targetUsdPerHour(s, i, t) - s.score[i]!.idleUsdPerHour;
      if (t.mode === "AI" && stage === Stage.AI_NEW) {
        const item = aiItems.get(t.workloadId);
        if (item) {
          item.gpus.push(i);
          item.extraW += extraW;
          item.gainUsdPerHour += gain;
        } else aiItems.set(t.workloadId, { gpus: [i], extraW, gainUsdPerHour: gain, workloadId: t.workloadId });
      } else items.push({ gpus: [i], extraW, gainUsdPerHour: gain, workloadId: null });
    }
    items.push(...aiItems.values());
    const perKw = (it: Item) => (it.extraW <= 0 ? Number.POSITIVE_INFINITY : (it.gainUsdPerHour / it.extraW) * 1000);
    items.sort((a, b) => perKw(b) - perKw(a) || a.gpus[0]! - b.gpus[0]!);
    for (const it of items) {
      if (it.extraW <= budgetW) {
        budgetW -= Math.max(0, it.extraW);
        continue;
      }
      const ratio = perKw(it);
      for (const i of it.gpus) {
        const was = s.target[i]!;
        s.target[i] = { mode: "IDLE" };
        s.stage[i] = Stage.DECIDED;
        s.binding[i] = "power-cap";
        s.reason[i] = `The site's ${site.powerCapKw} kW cap is reached: ${targetLabel(was)} earns ${usdPerHour(ratio)} per kW over idling, less than what keeps running.`;
      }
      if (it.workloadId) demotedWorkloads.set(it.workloadId, `the ${site.powerCapKw} kW power cap of site ${siteId} leaves no room for it`);
    }
  }

  // A workload spread over sites and demoted at one of them is demoted everywhere: all its GPUs or none.
  if (demotedWorkloads.size === 0) return;
  s.gpus.forEach((_, i) => {
    const t = s.target[i]!;
    if (s.stage[i] !== Stage.AI_NEW || t.mode !== "AI" || !demotedWorkloads.has(t.workloadId)) return;
    s.target[i] = { mode: "IDLE" };
    s.stage[i] = Stage.DECIDED;
    s.binding[i] = "power-cap";
    s.reason[i] = `AI workload ${t.workloadId} cannot start: ${demotedWorkloads.get(t.workloadId)}.`;
  });
  for (const [workloadId, reason] of demotedWorkloads) {
    delete s.workloadWins[workloadId];
    s.unplaced.push({ workloadId, reason });
  }
};
