// The planner (issue #6): fleet snapshot, market, energy, workloads and policy in; the target of
// every GPU, with its reason, and the commands to get there out.
export type * from "./types";
export { plan } from "./plan";
export { DEFAULT_POLICY, ZPolicy, resolvePolicy } from "./policy";
export { scoreOptions, fitsVram, VRAM_SLACK_GB, UNKNOWN_MODEL_W, type GpuOptions } from "./score-options";
export { targetKey, targetLabel } from "./target-key";
