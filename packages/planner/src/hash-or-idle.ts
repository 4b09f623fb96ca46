import { bestNonAi, currentUsdPerHour, Stage, type PlanState } from "./plan-state";
import { judgeSwitch } from "./switch-rule";
import { capitalize, sameTarget, targetLabel, usdPerHour } from "./target-key";
import type { ModelSiteScore } from "./score-options";
import type { WorkloadRequest } from "./types";

/**
 * Every GPU left open after AI placement hashes its best coin or idles. Curtailment and work that
 * ended switch at once; anything else goes through the no-flapping rule. `aiFor` is the best
 * unplaced workload a GPU's VRAM fits, named in the reason when it would have paid more.
 */
export const decideHashOrIdle = (s: PlanState, aiFor: (i: number) => WorkloadRequest | undefined): void => {
  const { policy } = s;
  // GPUs of one model at one site with one VRAM size that keep their best option share its sentence.
  const keepReasons = new Map<ModelSiteScore, Map<number, string>>();
  for (let i = 0; i < s.gpus.length; i++) {
    if (s.stage[i] !== Stage.OPEN) continue;
    s.stage[i] = Stage.DECIDED;
    const g = s.gpus[i]!;
    const score = s.score[i]!;

    if (s.site[i]!.curtailed) {
      s.target[i] = { mode: "IDLE" };
      s.binding[i] = "curtailed";
      s.reason[i] =
        g.current.mode === "IDLE"
          ? "The site is curtailed (energy above its strike price): the GPU stays idle."
          : `The site is curtailed (energy above its strike price): ${targetLabel(g.current)} stops now, without waiting for confirmations.`;
      continue;
    }

    const desired = bestNonAi(s, i);
    const desiredKey = desired.key;
    const released = s.releasedWhy[i] ?? null;
    const cur = currentUsdPerHour(s, i);
    if (released !== null || cur === null) {
      s.target[i] = desired.target;
      s.binding[i] = desiredKey === "IDLE" ? "no-profit" : "best-option";
      const why = released ?? `${capitalize(targetLabel(g.current))} can no longer be scored (no market quote for it, or no figures for this model)`;
      s.reason[i] = released !== null && released.endsWith(".") ? released : `${why}; now ${targetLabel(desired.target)} (${usdPerHour(desired.usdPerHour)}).`;
      continue;
    }

    if (sameTarget(g.current, desired.target)) {
      s.target[i] = g.current;
      s.binding[i] = desiredKey === "IDLE" ? "no-profit" : "best-option";
      let perVram = keepReasons.get(score);
      if (!perVram) keepReasons.set(score, (perVram = new Map()));
      const cached = perVram.get(g.vramGb);
      if (cached !== undefined) {
        s.reason[i] = cached;
        continue;
      }
      const ai = aiFor(i);
      const aiNet = ai ? ai.usdPerGpuHour - score.aiEnergyUsdPerHour : null;
      const aiText = ai && aiNet !== null ? `AI workload ${ai.id} ${usdPerHour(aiNet)}${aiNet > desired.usdPerHour ? " (not placed here)" : ""}` : "no AI work that fits";
      if (desiredKey === "IDLE") {
        const hash = score.best ? `hashing ${score.best.coin} would make ${usdPerHour(score.best.usdPerHour)}` : "this model has no hashing figures";
        s.reason[i] = `Nothing here pays for its energy: ${hash}, ${aiText}; idling costs ${usdPerHour(-desired.usdPerHour)}.`;
      } else {
        s.reason[i] = `${capitalize(targetLabel(desired.target))} earns ${usdPerHour(desired.usdPerHour)} vs ${aiText} and idling ${usdPerHour(score.idleUsdPerHour)}.`;
      }
      perVram.set(g.vramGb, s.reason[i]!);
      continue;
    }

    const entersHash = desired.target.mode === "HASH";
    const verdict = judgeSwitch({
      policy,
      nowMs: s.nowMs,
      sinceMs: g.sinceMs,
      current: { label: targetLabel(g.current), usdPerHour: cur },
      candidate: { label: targetLabel(desired.target), key: desiredKey, usdPerHour: desired.usdPerHour },
      idleUsdPerHour: score.idleUsdPerHour,
      // Entering hashing or changing coin: the warm-up earns nothing (energy is already in the net figures).
      switchCostUsd: entersHash ? (policy.hashWarmupMin / 60) * score.byCoin.get((desired.target as { coin: string }).coin)!.grossUsdPerHour : 0,
      gpus: 1,
      previous: s.previous[g.id],
    });
    s.target[i] = verdict.go ? desired.target : g.current;
    s.binding[i] = verdict.binding;
    s.reason[i] = verdict.reason;
    if (verdict.challenger) s.challengers[g.id] = verdict.challenger;
  }
};
