import { describe, expect, it } from "vitest";
import { plan } from "./index";
import { applyPlan, baseInput, etcFor3090, gpu, hashing, HOUR, IDLE, MIN, RTX3060, RTX4090, running, site, T0, workload } from "./testing/fleet";
import type { GpuModelPerf, PlanInput, PlanResult } from "./types";

const decision = (r: PlanResult, gpuId: string) => {
  const d = r.decisions.find((x) => x.gpuId === gpuId);
  if (!d) throw new Error(`no decision for ${gpuId}`);
  return d;
};
const placed = (r: PlanResult, workloadId: string) => r.placements.find((p) => p.workloadId === workloadId)?.gpuIds.slice().sort() ?? null;
const unplacedReason = (r: PlanResult, workloadId: string) => r.unplaced.find((u) => u.workloadId === workloadId)?.reason ?? null;

/** Plan `times` times in a row at one-minute steps with the fleet unchanged, carrying memory. */
const planRepeatedly = (input: PlanInput, times: number): PlanResult[] => {
  const out: PlanResult[] = [];
  let memory = input.memory;
  for (let k = 0; k < times; k++) {
    const r = plan({ ...input, nowMs: input.nowMs + k * MIN, memory });
    memory = r.memory;
    out.push(r);
  }
  return out;
};

describe("VRAM", () => {
  it("places a workload only on cards with the VRAM it asks for, counting a 4090's 23.99 GB as 24", () => {
    const r = plan(
      baseInput({
        gpus: [gpu("small", { model: RTX3060, vramGb: 12 }), gpu("big", { model: RTX4090, vramGb: 24564 / 1024 })],
        workloads: [workload("w24", { minVramGb: 24 }), workload("w32", { minVramGb: 32 })],
      }),
    );
    expect(placed(r, "w24")).toEqual(["big"]);
    expect(decision(r, "small").target.mode).not.toBe("AI");
    expect(unplacedReason(r, "w32")).toMatch(/32 GB or more/);
  });
});

describe("same rig", () => {
  const gpus = [
    ...["a0", "a1", "a2"].map((id) => gpu(id, { rigId: "rig-a" })),
    ...["b0", "b1", "b2", "b3"].map((id) => gpu(id, { rigId: "rig-b" })),
  ];

  it("puts a same-rig workload on the one rig with enough free GPUs, in one command", () => {
    const r = plan(baseInput({ gpus, workloads: [workload("w", { gpus: 4, sameRig: true })] }));
    expect(placed(r, "w")).toEqual(["b0", "b1", "b2", "b3"]);
    const cmd = r.commands.filter((c) => c.target.mode === "AI");
    expect(cmd).toHaveLength(1);
    expect(cmd[0]!.gpuIds.slice().sort()).toEqual(["b0", "b1", "b2", "b3"]);
  });

  it("spreads a workload that does not ask for one rig, and refuses one no rig can hold", () => {
    const r = plan(baseInput({ gpus, workloads: [workload("w", { gpus: 5, sameRig: false })] }));
    expect(placed(r, "w")).toHaveLength(5);
    const r2 = plan(baseInput({ gpus, workloads: [workload("w", { gpus: 5, sameRig: true })] }));
    expect(placed(r2, "w")).toBeNull();
    expect(unplacedReason(r2, "w")).toMatch(/on one rig/);
  });
});

describe("best fit", () => {
  // With hashing unprofitable, an 80 GB card drawing 250 W under AI is $0.0024/h cheaper to run than a
  // 3090 (298 W) at $0.05/kWh: within 5 % of a $0.34 job, so the smaller cards take it.
  const a100 = { model: "A100 80GB", vramGb: 80, idleW: 50, aiW: 250, hash: [] };
  const input = (workloads: PlanInput["workloads"]) =>
    baseInput({
      coins: [etcFor3090(-0.03)],
      models: [...baseInput().models, a100],
      gpus: [
        ...["big0", "big1", "big2", "big3"].map((id) => gpu(id, { rigId: "rig-big", model: a100.model, vramGb: 80 })),
        ...["r0", "r1", "r2", "r3"].map((id) => gpu(id, { rigId: "rig-3090" })),
      ],
      workloads,
    });

  it("keeps the big cards free for work only they can run", () => {
    const job48 = workload("job-48", { gpus: 4, minVramGb: 24, sameRig: true, usdPerGpuHour: 0.34 });
    const first = plan(input([job48]));
    expect(placed(first, "job-48")).toEqual(["r0", "r1", "r2", "r3"]);
    // Two hours later an 80 GB job arrives: the big cards are still there for it.
    const gpus = applyPlan(input([]).gpus, first.decisions, T0);
    const later = plan({ ...input([job48, workload("job-49", { minVramGb: 80, usdPerGpuHour: 1.35 })]), gpus, nowMs: T0 + 2 * HOUR });
    expect(placed(later, "job-48")).toEqual(["r0", "r1", "r2", "r3"]);
    expect(placed(later, "job-49")).toHaveLength(1);
    const spread = plan(input([workload("job", { gpus: 2, minVramGb: 24, usdPerGpuHour: 0.34 })]));
    expect(placed(spread, "job")).toEqual(["r0", "r1"]);
  });
});

describe("site power cap", () => {
  // Two made-up cards on ETC at 4.8e-8 USD per H/s per day and $0.10/kWh:
  // eff: 100 MH/s at 100 W → $0.20/h gross, $0.19 net; over idling (10 W, -$0.001) +$0.191 for 90 W = $2.12 per kW.
  // hog: 300 MH/s at 400 W → $0.60/h gross, $0.56 net; over idling +$0.561 for 390 W = $1.44 per kW.
  const models: GpuModelPerf[] = [
    { model: "eff", vramGb: 8, idleW: 10, aiW: 100, hash: [{ algorithm: "etchash", hs: 100e6, w: 100 }] },
    { model: "hog", vramGb: 8, idleW: 10, aiW: 400, hash: [{ algorithm: "etchash", hs: 300e6, w: 400 }] },
  ];
  const coins = [{ coin: "ETC", algorithm: "etchash", usdPerHsDay: 4.8e-8 }];
  const fleet = [
    ...["e1", "e2", "e3"].map((id) => gpu(id, { model: "eff", vramGb: 8, current: hashing() })),
    gpu("h1", { model: "hog", vramGb: 8, current: hashing() }),
  ];
  const watts = (r: PlanResult) =>
    r.decisions.reduce((sum, d) => {
      const m = models.find((x) => x.model === fleet.find((g) => g.id === d.gpuId)!.model)!;
      return sum + (d.target.mode === "HASH" ? m.hash[0]!.w : d.target.mode === "AI" ? m.aiW : m.idleW);
    }, 0);

  it("keeps the GPUs with the best margin per kW, not per GPU, and idles the rest", () => {
    // 430 W cap: 40 W of idling leaves 390 W. The three eff cards need 270 W and earn $0.573/h over
    // idling; the hog alone would take all 390 W for $0.561/h. By margin per kW the effs stay.
    const r = plan(baseInput({ models, coins, gpus: fleet, sites: [site({ powerCapKw: 0.43, energyUsdPerKwh: 0.1 })] }));
    expect(["e1", "e2", "e3"].map((id) => decision(r, id).target.mode)).toEqual(["HASH", "HASH", "HASH"]);
    expect(decision(r, "h1").target).toEqual(IDLE);
    expect(decision(r, "h1").binding).toBe("power-cap");
    expect(watts(r)).toBeLessThanOrEqual(430);
    // With room for everything, nothing is demoted.
    const roomy = plan(baseInput({ models, coins, gpus: fleet, sites: [site({ powerCapKw: 1, energyUsdPerKwh: 0.1 })] }));
    expect(roomy.decisions.every((d) => d.target.mode === "HASH")).toBe(true);
  });

  it("never moves a pinned GPU for the cap, even when it alone is over it", () => {
    const pinned = fleet.map((g) => (g.id === "h1" ? { ...g, pin: { target: hashing(), untilMs: T0 + HOUR } } : g));
    const r = plan(baseInput({ models, coins, gpus: pinned, sites: [site({ powerCapKw: 0.2, energyUsdPerKwh: 0.1 })] }));
    expect(decision(r, "h1").target.mode).toBe("HASH");
    expect(decision(r, "h1").binding).toBe("pinned");
    expect(["e1", "e2", "e3"].map((id) => decision(r, id).binding)).toEqual(["power-cap", "power-cap", "power-cap"]);
  });
});

describe("curtailment and no profit", () => {
  it("stops hashing at once when it loses money, without waiting for confirmations or dwell", () => {
    // ETC nets -$0.03/h on a 3090 while idling costs $0.00125/h.
    const r = plan(baseInput({ coins: [etcFor3090(-0.03)], gpus: [gpu("g", { current: hashing(), sinceMs: T0 - 2 * MIN })] }));
    expect(decision(r, "g").target).toEqual(IDLE);
    expect(decision(r, "g").binding).toBe("no-profit");
    expect(decision(r, "g").reason).toMatch(/loses \$0\.03\/h.*without waiting for confirmations/);
    expect(r.commands).toEqual([{ gpuIds: ["g"], target: IDLE, reason: decision(r, "g").reason }]);
  });

  it("leaves an idle GPU idle when nothing pays for its energy, and says so", () => {
    const r = plan(baseInput({ coins: [etcFor3090(-0.03)], gpus: [gpu("g")] }));
    expect(decision(r, "g").binding).toBe("no-profit");
    expect(decision(r, "g").reason).toMatch(/^Nothing here pays for its energy: hashing ETC would make -\$0\.03\/h/);
    expect(r.commands).toEqual([]);
  });

  it("at a curtailed site, stops hashing, keeps running AI work and starts none", () => {
    const r = plan(
      baseInput({
        sites: [site({ curtailed: true })],
        gpus: [gpu("hasher", { current: hashing() }), gpu("trainer", { current: running("w-run") }), gpu("free")],
        workloads: [workload("w-run"), workload("w-new", { usdPerGpuHour: 2 })],
      }),
    );
    expect(decision(r, "hasher").target).toEqual(IDLE);
    expect(decision(r, "hasher").binding).toBe("curtailed");
    expect(decision(r, "trainer").target).toEqual(running("w-run"));
    expect(decision(r, "free").target).toEqual(IDLE);
    expect(placed(r, "w-new")).toBeNull();
  });
});

describe("pins and maintenance", () => {
  it("keeps a pinned GPU on its pin until the pin expires", () => {
    const pin = { target: hashing(), untilMs: T0 + HOUR };
    const input = baseInput({ gpus: [gpu("g", { pin })], workloads: [workload("w", { usdPerGpuHour: 3 })] });
    const r = plan(input);
    expect(decision(r, "g").target).toEqual(hashing());
    expect(decision(r, "g").binding).toBe("pinned");
    expect(placed(r, "w")).toBeNull();
    const later = plan({ ...input, nowMs: T0 + 2 * HOUR });
    expect(placed(later, "w")).toEqual(["g"]);
  });

  it("counts a GPU pinned to a workload as that workload's placement", () => {
    const r = plan(baseInput({ gpus: [gpu("pinned", { pin: { target: running("w"), untilMs: T0 + HOUR } }), gpu("other")], workloads: [workload("w")] }));
    expect(placed(r, "w")).toEqual(["pinned"]);
    expect(decision(r, "other").target.mode).not.toBe("AI");
  });

  it("neither moves a GPU in maintenance nor places work on it", () => {
    const r = plan(
      baseInput({
        coins: [etcFor3090(-0.5)],
        gpus: [gpu("m1", { maintenance: true, current: hashing() }), gpu("m2", { maintenance: true })],
        workloads: [workload("w")],
      }),
    );
    expect(decision(r, "m1").target).toEqual(hashing());
    expect(r.decisions.map((d) => d.binding)).toEqual(["maintenance", "maintenance"]);
    expect(r.commands).toEqual([]);
    expect(placed(r, "w")).toBeNull();
  });
});

describe("running AI work", () => {
  // The workload pays $0.05 per GPU-hour ($0.035 net); hashing ETC would net $0.50/h.
  const input = (sinceMs: number, policy: PlanInput["policy"] = {}) =>
    baseInput({ coins: [etcFor3090(0.5)], gpus: [gpu("g", { current: running("w"), sinceMs })], workloads: [workload("w", { usdPerGpuHour: 0.05 })], policy });

  it("is not pre-empted before its minimum run", () => {
    const r = plan(input(T0 - 30 * MIN));
    expect(decision(r, "g").target).toEqual(running("w"));
    expect(decision(r, "g").binding).toBe("min-ai-run");
    expect(decision(r, "g").reason).toMatch(/has run 30 of its minimum 60 min/);
  });

  it("is pre-empted when the policy allows it, after the confirming plans", () => {
    const plans = planRepeatedly(input(T0 - 30 * MIN, { allowAiPreemption: true }), 3);
    expect(plans.map((r) => decision(r, "g").target.mode)).toEqual(["AI", "AI", "HASH"]);
    expect(decision(plans[0]!, "g").reason).toMatch(/1 of 3 confirming plans/);
  });

  it("after its minimum run, gives way to hashing that clearly pays more", () => {
    const plans = planRepeatedly(input(T0 - 90 * MIN), 3);
    expect(plans.map((r) => decision(r, "g").target.mode)).toEqual(["AI", "AI", "HASH"]);
  });

  it("keeps its GPUs when a better-paying workload arrives", () => {
    const r = plan(
      baseInput({
        gpus: [gpu("g", { current: running("w-old") })],
        workloads: [workload("w-old", { usdPerGpuHour: 0.3 }), workload("w-rich", { usdPerGpuHour: 0.9 })],
      }),
    );
    expect(placed(r, "w-old")).toEqual(["g"]);
    expect(placed(r, "w-rich")).toBeNull();
  });

  it("is released at once when it leaves the queue or reaches its deadline", () => {
    const gone = plan(baseInput({ gpus: [gpu("g", { current: running("w"), sinceMs: T0 - MIN })] }));
    expect(decision(gone, "g").target).toEqual(hashing());
    expect(decision(gone, "g").reason).toMatch(/no longer in the queue/);
    const late = plan(baseInput({ gpus: [gpu("g", { current: running("w"), sinceMs: T0 - MIN })], workloads: [workload("w", { deadlineMs: T0 - 1 })] }));
    expect(decision(late, "g").target).toEqual(hashing());
    expect(decision(late, "g").reason).toMatch(/reached its deadline/);
  });
});

describe("earliest start and deadline", () => {
  it("starts nothing before its earliest start or that cannot finish before its deadline", () => {
    const r = plan(
      baseInput({
        gpus: [gpu("g1"), gpu("g2"), gpu("g3")],
        workloads: [
          workload("early", { earliestStartMs: T0 + HOUR }),
          workload("tight", { remainingHours: 5, deadlineMs: T0 + 2 * HOUR }),
          workload("open", { remainingHours: null, deadlineMs: T0 + 2 * HOUR }),
        ],
      }),
    );
    expect(unplacedReason(r, "early")).toMatch(/earliest start/);
    expect(unplacedReason(r, "tight")).toMatch(/cannot finish before its deadline/);
    expect(placed(r, "open")).toHaveLength(1);
  });
});

describe("priority", () => {
  it("gives the one free GPU to the higher priority, then to the higher price", () => {
    const byPriority = plan(baseInput({ gpus: [gpu("g")], workloads: [workload("cheap-urgent", { priority: 1, usdPerGpuHour: 0.3 }), workload("rich", { usdPerGpuHour: 0.9 })] }));
    expect(placed(byPriority, "cheap-urgent")).toEqual(["g"]);
    const byPrice = plan(baseInput({ gpus: [gpu("g")], workloads: [workload("cheap", { usdPerGpuHour: 0.3 }), workload("rich", { usdPerGpuHour: 0.9 })] }));
    expect(placed(byPrice, "rich")).toEqual(["g"]);
  });
});

describe("starting AI work", () => {
  it("starts at once on idle GPUs but waits for confirming plans on hashing ones", () => {
    const w = workload("w", { usdPerGpuHour: 0.8 });
    expect(placed(plan(baseInput({ gpus: [gpu("g")], workloads: [w] })), "w")).toEqual(["g"]);
    const plans = planRepeatedly(baseInput({ gpus: [gpu("g", { current: hashing() })], workloads: [w] }), 3);
    expect(plans.map((r) => decision(r, "g").target.mode)).toEqual(["HASH", "HASH", "AI"]);
    expect(decision(plans[1]!, "g").reason).toMatch(/AI workload w .* beats hashing ETC .*2 of 3 confirming plans/);
  });

  it("runs AI work on a card whose model it does not know, but never hashes on it", () => {
    const r = plan(baseInput({ gpus: [gpu("x", { model: "Mystery GPU", vramGb: 24 }), gpu("y", { model: "Mystery GPU", vramGb: 24 })], workloads: [workload("w")] }));
    expect(placed(r, "w")).toHaveLength(1);
    const other = r.decisions.find((d) => d.target.mode !== "AI")!;
    expect(other.target).toEqual(IDLE);
    expect(other.options.hash).toBeNull();
  });
});

describe("reasons", () => {
  it("shows every option's $/h and names the better one", () => {
    // ETC nets $0.10/h; the waiting workload pays $0.04 ($0.0251 net on a 3090 at $0.05/kWh).
    const r = plan(baseInput({ gpus: [gpu("g", { current: hashing() })], workloads: [workload("w", { usdPerGpuHour: 0.04 })] }));
    const d = decision(r, "g");
    expect(d.options.hash?.usdPerHour).toBeCloseTo(0.1, 10);
    expect(d.options.ai?.workloadId).toBe("w");
    expect(d.options.ai?.usdPerHour).toBeCloseTo(0.04 - 0.298 * 0.05, 10);
    expect(d.options.idleUsdPerHour).toBeCloseTo(-0.025 * 0.05, 10);
    expect(d.reason).toBe("Hashing ETC earns $0.10/h vs AI workload w $0.025/h and idling -$0.0013/h.");
  });
});
