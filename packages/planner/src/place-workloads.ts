import { bestNonAi, currentUsdPerHour, Stage, type PlanState } from "./plan-state";
import { fitsVram } from "./score-options";
import { losingMoney, minGain } from "./switch-rule";
import { targetLabel, usdPerHour } from "./target-key";
import type { WorkloadRequest } from "./types";

/**
 * Place pending workloads, already sorted (priority, then price), on open GPUs. A GPU's cost for AI
 * work is its AI energy plus what it would earn otherwise, plus the minimum gain when it must give
 * up what it does now; it does not depend on the workload, so GPUs are sorted by it once, per VRAM
 * size, and each workload takes the cheapest that fit (on one rig when asked) while its price
 * covers them. No GPUs × workloads scan. A workload that would take busy GPUs waits for
 * `confirmPlans` plans in a row, holding them; on idle GPUs it starts at once (nothing is given up).
 */
/**
 * Best fit: GPUs (or rigs) whose cost is within this share of the workload's price of the cheapest
 * compete on VRAM, smallest first, so an 80 GB card is not spent on a 24 GB job a 3090 could run.
 */
export const BEST_FIT_TOLERANCE = 0.05;

export const placePending = (s: PlanState, pending: readonly WorkloadRequest[]): void => {
  const { policy } = s;
  const n = s.gpus.length;
  const cost = new Float64Array(n);
  const freeEntry = new Uint8Array(n);
  const used = new Uint8Array(n);
  const bucketOf = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (s.stage[i] !== Stage.OPEN || s.site[i]!.curtailed) continue;
    const g = s.gpus[i]!;
    const cur = currentUsdPerHour(s, i);
    const best = bestNonAi(s, i).usdPerHour;
    const idle = s.score[i]!.idleUsdPerHour;
    const fromIdle = cur !== null && g.current.mode === "IDLE";
    const fast = cur === null || losingMoney(policy, cur, idle);
    if (!fromIdle && !fast && s.nowMs - g.sinceMs < policy.minDwellMin * 60_000) continue;
    const baseline = fromIdle || fast ? best : Math.max(cur + minGain(policy, cur), best);
    cost[i] = s.score[i]!.aiEnergyUsdPerHour + baseline;
    freeEntry[i] = fromIdle || fast ? 1 : 0;
    const bucket = bucketOf.get(g.vramGb);
    if (bucket) bucket.push(i);
    else bucketOf.set(g.vramGb, [i]);
  }
  const sizes = [...bucketOf.keys()].sort((a, b) => a - b);
  const buckets = sizes.map((size) => bucketOf.get(size)!.sort((a, b) => cost[a]! - cost[b]! || a - b));
  const heads = buckets.map(() => 0);
  /** The `w.gpus` cheapest unused GPUs that fit, anywhere, if their cost is covered: a k-way merge over VRAM sizes. */
  const cheapestAnywhere = (w: WorkloadRequest): number[] | null => {
    const eligible: number[] = [];
    for (let b = 0; b < sizes.length; b++) {
      if (!fitsVram(sizes[b]!, w.minVramGb)) continue;
      const list = buckets[b]!;
      while (heads[b]! < list.length && used[list[heads[b]!]!]) heads[b]!++;
      eligible.push(b);
    }
    const pos = eligible.map((b) => heads[b]!);
    const picked: number[] = [];
    while (picked.length < w.gpus) {
      let minCost = Number.POSITIVE_INFINITY;
      for (let e = 0; e < eligible.length; e++) {
        const list = buckets[eligible[e]!]!;
        while (pos[e]! < list.length && used[list[pos[e]!]!]) pos[e]!++;
        const p = pos[e]!;
        if (p < list.length) minCost = Math.min(minCost, cost[list[p]!]!);
      }
      if (minCost > w.usdPerGpuHour) return null;
      // Best fit: the smallest VRAM size whose cheapest GPU is within the tolerance of the cheapest.
      const tolerance = BEST_FIT_TOLERANCE * w.usdPerGpuHour;
      let bestE = -1;
      for (let e = 0; e < eligible.length && bestE < 0; e++) {
        const list = buckets[eligible[e]!]!;
        const p = pos[e]!;
        if (p < list.length && cost[list[p]!]! <= minCost + tolerance && cost[list[p]!]! <= w.usdPerGpuHour) bestE = e;
      }
      picked.push(buckets[eligible[bestE]!]![pos[bestE]!]!);
      pos[bestE]!++;
    }
    return picked;
  };

  // Same-rig work: per rig, its candidate GPUs by cost. Per (GPUs, VRAM) asked for, the rigs are
  // sorted once by the cost of their k-th cheapest fitting GPU; a workload walks that order. Rigs
  // left with fewer than k fitting GPUs are skipped for good (GPUs only get used up).
  const rigGpus = new Map<string, number[]>();
  for (const list of buckets) {
    for (const i of list) {
      const rigId = s.gpus[i]!.rigId;
      const r = rigGpus.get(rigId);
      if (r) r.push(i);
      else rigGpus.set(rigId, [i]);
    }
  }
  const rigs = [...rigGpus.values()].map((r) => r.sort((a, b) => cost[a]! - cost[b]! || a - b));
  type RigOrder = { vram: number; order: number[]; kth: number[]; head: number };
  const rigIndex = new Map<string, RigOrder[]>();
  const kthFitting = (r: number[], k: number, minVramGb: number, skipUsed: boolean): number[] | null => {
    const out: number[] = [];
    for (const i of r) {
      if ((skipUsed && used[i]) || !fitsVram(s.gpus[i]!.vramGb, minVramGb)) continue;
      out.push(i);
      if (out.length === k) return out;
    }
    return null;
  };
  /** Per (GPUs, VRAM asked): the rigs that could hold it, split by their largest fitting card, each part sorted by k-th cost. */
  const rigOrders = (w: WorkloadRequest): RigOrder[] => {
    const key = `${w.gpus}|${w.minVramGb}`;
    const hit = rigIndex.get(key);
    if (hit) return hit;
    const byVram = new Map<number, { rig: number; kth: number }[]>();
    rigs.forEach((r, rig) => {
      const fit = kthFitting(r, w.gpus, w.minVramGb, false);
      if (!fit) return;
      let vram = 0;
      for (const i of r) if (fitsVram(s.gpus[i]!.vramGb, w.minVramGb)) vram = Math.max(vram, s.gpus[i]!.vramGb);
      const list = byVram.get(vram) ?? [];
      list.push({ rig, kth: cost[fit[fit.length - 1]!]! });
      byVram.set(vram, list);
    });
    const orders = [...byVram]
      .sort((a, b) => a[0] - b[0])
      .map(([vram, list]) => {
        list.sort((a, b) => a.kth - b.kth || a.rig - b.rig);
        return { vram, order: list.map((x) => x.rig), kth: list.map((x) => x.kth), head: 0 };
      });
    rigIndex.set(key, orders);
    return orders;
  };
  /** The cheapest rig of one VRAM class that can take the work now, or null. */
  const firstRig = (o: RigOrder, w: WorkloadRequest): { fit: number[]; kth: number } | null => {
    for (let p = o.head; p < o.order.length; p++) {
      // Sorted by each rig's k-th cost before any GPU was used: a lower bound of its cost now.
      if (o.kth[p]! > w.usdPerGpuHour) return null;
      const fit = kthFitting(rigs[o.order[p]!]!, w.gpus, w.minVramGb, true);
      if (!fit) {
        // Fewer than k fitting GPUs left: never again for this shape (GPUs only get used up).
        if (p === o.head) o.head++;
        continue;
      }
      const kth = cost[fit[fit.length - 1]!]!;
      if (kth <= w.usdPerGpuHour) return { fit, kth };
    }
    return null;
  };
  // Best fit across VRAM classes: the cheapest rig of each class, and the smallest class within the
  // tolerance of the cheapest wins, so big cards stay free for work only they can run.
  const cheapestRig = (w: WorkloadRequest): number[] | null => {
    const candidates = rigOrders(w).map((o) => firstRig(o, w));
    let minKth = Number.POSITIVE_INFINITY;
    for (const c of candidates) if (c) minKth = Math.min(minKth, c.kth);
    for (const c of candidates) if (c && c.kth <= minKth + BEST_FIT_TOLERANCE * w.usdPerGpuHour) return c.fit;
    return null;
  };

  // (sameRig, GPUs, VRAM) → the highest price that found no GPUs: a cheaper twin will not either.
  const failedAt = new Map<string, number>();

  for (const w of pending) {
    const shapeKey = `${w.sameRig}|${w.gpus}|${w.minVramGb}`;
    const noFit = `no ${w.gpus} free GPU${w.gpus > 1 ? "s" : ""} with ${w.minVramGb} GB or more${w.sameRig && w.gpus > 1 ? " on one rig" : ""} where it pays more than hashing or idling`;
    if ((failedAt.get(shapeKey) ?? Number.NEGATIVE_INFINITY) >= w.usdPerGpuHour) {
      s.unplaced.push({ workloadId: w.id, reason: noFit });
      continue;
    }
    const chosen = w.sameRig && w.gpus > 1 ? cheapestRig(w) : cheapestAnywhere(w);
    if (!chosen) {
      failedAt.set(shapeKey, Math.max(failedAt.get(shapeKey) ?? Number.NEGATIVE_INFINITY, w.usdPerGpuHour));
      s.unplaced.push({ workloadId: w.id, reason: noFit });
      continue;
    }

    for (const i of chosen) used[i] = 1;
    const wins = (s.previousWorkloadWins[w.id] ?? 0) + 1;
    const startNow = chosen.every((i) => freeEntry[i] === 1) || wins >= policy.confirmPlans;
    const target = { mode: "AI", workloadId: w.id } as const;
    let lastScore: unknown = null;
    let lastReason = "";
    for (const i of chosen) {
      const net = w.usdPerGpuHour - s.score[i]!.aiEnergyUsdPerHour;
      if (startNow) {
        // GPUs of one model at one site share the sentence (a workload's GPUs usually are).
        if (s.score[i] !== lastScore) {
          const other = bestNonAi(s, i);
          lastScore = s.score[i];
          lastReason = `AI workload ${w.id} pays $${w.usdPerGpuHour.toFixed(2)} per GPU-hour, ${usdPerHour(net)} net of energy vs ${targetLabel(other.target)} ${usdPerHour(other.usdPerHour)}.`;
        }
        s.stage[i] = Stage.AI_NEW;
        s.target[i] = target;
        s.binding[i] = "best-option";
        s.reason[i] = lastReason;
      } else {
        const cur = s.gpus[i]!.current;
        s.stage[i] = Stage.RESERVED;
        s.target[i] = cur;
        s.binding[i] = "confirming";
        s.reason[i] = `AI workload ${w.id} (${usdPerHour(net)}) beats ${targetLabel(cur)} (${usdPerHour(currentUsdPerHour(s, i) ?? 0)}); switch waits for ${wins} of ${policy.confirmPlans} confirming plans.`;
      }
    }
    if (!startNow) {
      s.workloadWins[w.id] = wins;
      s.unplaced.push({ workloadId: w.id, reason: `confirming: ${wins} of ${policy.confirmPlans} plans` });
    }
  }
};
