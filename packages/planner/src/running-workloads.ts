import { bestNonAi, Stage, type PlanState } from "./plan-state";
import { judgeSwitch } from "./switch-rule";
import { capitalize, targetKey, targetLabel, usdPerHour } from "./target-key";

/**
 * Running AI work, one workload at a time (its GPUs stay or leave together): released at once when
 * it has finished, left the queue or hit its deadline; kept during its minimum run unless the policy
 * allows pre-emption; otherwise given up only when hashing or idling beats it by the no-flapping rule
 * (its checkpoint loss counted as the switch cost). At a curtailed site the alternative is idling.
 */
export const keepOrReleaseRunning = (s: PlanState): void => {
  const groups = new Map<string, number[]>();
  s.gpus.forEach((g, i) => {
    if (s.stage[i] !== Stage.OPEN || g.current.mode !== "AI") return;
    const list = groups.get(g.current.workloadId);
    if (list) list.push(i);
    else groups.set(g.current.workloadId, [i]);
  });

  for (const [workloadId, idx] of groups) {
    const w = s.workloads.get(workloadId);
    const ended = !w
      ? "is no longer in the queue (finished or cancelled)"
      : w.remainingHours !== null && w.remainingHours <= 0
        ? "has finished its work"
        : w.deadlineMs != null && s.nowMs >= w.deadlineMs
          ? `has reached its deadline (${new Date(w.deadlineMs).toISOString()})`
          : null;
    if (!w || ended) {
      for (const i of idx) s.releasedWhy[i] = `AI workload ${workloadId} ${ended}`;
      continue;
    }

    const keep = (binding: PlanState["binding"][number], reason: string) => {
      for (const i of idx) {
        s.stage[i] = Stage.AI_KEPT;
        s.target[i] = s.gpus[i]!.current;
        s.binding[i] = binding;
        s.reason[i] = reason;
      }
    };

    const firstSince = Math.min(...idx.map((i) => s.gpus[i]!.sinceMs));
    const lastSince = Math.max(...idx.map((i) => s.gpus[i]!.sinceMs));
    const ranMin = (s.nowMs - firstSince) / 60_000;
    if (!s.policy.allowAiPreemption && ranMin < s.policy.minAiRunMin) {
      keep("min-ai-run", `AI workload ${workloadId} has run ${Math.floor(ranMin)} of its minimum ${s.policy.minAiRunMin} min and is not pre-empted before then.`);
      continue;
    }

    let stay = 0;
    let alt = 0;
    let idle = 0;
    const altKeys = new Set<string>();
    let altLabel = "";
    for (const i of idx) {
      const score = s.score[i]!;
      stay += w.usdPerGpuHour - score.aiEnergyUsdPerHour;
      idle += score.idleUsdPerHour;
      const best = s.site[i]!.curtailed ? { target: { mode: "IDLE" } as const, usdPerHour: score.idleUsdPerHour } : bestNonAi(s, i);
      alt += best.usdPerHour;
      altKeys.add(targetKey(best.target));
      altLabel = targetLabel(best.target);
    }
    if (altKeys.size > 1) altLabel = "hashing or idling";
    const label = idx.length > 1 ? `AI workload ${workloadId} on ${idx.length} GPUs` : `AI workload ${workloadId}`;
    if (stay >= alt) {
      keep("best-option", `${capitalize(label)} earns ${usdPerHour(stay / idx.length)} per GPU vs ${altLabel} ${usdPerHour(alt / idx.length)}; it keeps running.`);
      continue;
    }
    const checkpointMin = w.checkpointMin ?? s.policy.aiCheckpointMin;
    const firstId = s.gpus[idx[0]!]!.id;
    const verdict = judgeSwitch({
      policy: s.policy,
      nowMs: s.nowMs,
      sinceMs: lastSince,
      current: { label, usdPerHour: stay },
      candidate: { label: altLabel, key: `LEAVE:${workloadId}`, usdPerHour: alt },
      idleUsdPerHour: idle,
      switchCostUsd: (checkpointMin / 60) * w.usdPerGpuHour * idx.length,
      gpus: idx.length,
      previous: s.previous[firstId],
    });
    if (verdict.go) {
      for (const i of idx) s.releasedWhy[i] = verdict.reason;
      continue;
    }
    keep(verdict.binding, verdict.reason);
    if (verdict.challenger) for (const i of idx) s.challengers[s.gpus[i]!.id] = verdict.challenger;
  }
};
