// The planner (issue #6): fleet snapshot, market, energy, workloads and policy in; the target of
// every GPU, with its reason, and the commands to get there out. `plan()` lands with the planner.
export type * from "./types";
