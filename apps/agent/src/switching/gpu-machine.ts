import type { GpuMode, TargetMode } from "@rigshift/protocol";

/**
 * The per-GPU switching state machine, without I/O: which modes a GPU passes through on the way
 * to a target, and where it rests when a step fails. The executor (switch-gpu.ts) does the I/O.
 */

export type DrainStep = "DRAINING_HASHING" | "DRAINING_AI";
export type StartStep = "STARTING_HASHING" | "STARTING_AI";

/** Every mode change a GPU may make. The last entries of the draining and starting lists are failures. */
export const ALLOWED_STEPS: Readonly<Record<GpuMode, readonly GpuMode[]>> = {
  OFFLINE: [],
  IDLE: ["STARTING_HASHING", "STARTING_AI"],
  HASHING: ["DRAINING_HASHING"],
  AI: ["DRAINING_AI"],
  // Drained: go idle or start the other workload. Not free after the drain: the old work still holds it.
  DRAINING_HASHING: ["IDLE", "STARTING_AI", "HASHING"],
  DRAINING_AI: ["IDLE", "STARTING_HASHING", "AI"],
  // Started, or it died on launch and left the GPU free.
  STARTING_HASHING: ["HASHING", "IDLE"],
  STARTING_AI: ["AI", "IDLE"],
};

export const isAllowedStep = (from: GpuMode, to: GpuMode): boolean => ALLOWED_STEPS[from].includes(to);

/** A GPU at rest, between commands. */
export const isSteadyMode = (mode: GpuMode): mode is TargetMode => mode === "IDLE" || mode === "HASHING" || mode === "AI";

export type SwitchPlan = {
  /** Stop what runs now, then verify the GPU is free. */
  drain: DrainStep | null;
  /** Start the target's work on the (verified free) GPU. */
  start: StartStep | null;
  target: TargetMode;
};

const DRAIN_OF: Record<TargetMode, DrainStep | null> = { IDLE: null, HASHING: "DRAINING_HASHING", AI: "DRAINING_AI" };
const START_OF: Record<TargetMode, StartStep | null> = { IDLE: null, HASHING: "STARTING_HASHING", AI: "STARTING_AI" };

/** The steps from a steady mode to a target; both null when the GPU is already there. */
export const planSwitch = (from: TargetMode, target: TargetMode): SwitchPlan =>
  from === target ? { drain: null, start: null, target } : { drain: DRAIN_OF[from], start: START_OF[target], target };

/** The steps of a plan in the order the GPU goes through them, ending in its target. */
export const stepsOf = (plan: SwitchPlan): GpuMode[] =>
  [plan.drain, plan.start, plan.target].filter((m) => m !== null);

/** Where a GPU rests when a step fails: a hung drain leaves the old work; a failed start leaves it free. */
export const restingModeAfterFailure = (step: DrainStep | StartStep): TargetMode => {
  switch (step) {
    case "DRAINING_HASHING":
      return "HASHING";
    case "DRAINING_AI":
      return "AI";
    case "STARTING_HASHING":
    case "STARTING_AI":
      return "IDLE";
  }
};
