export { startAgent, TELEMETRY_SPOOL_CAPACITY, type RunningAgent, type StartAgentOptions } from "./agent";
export type { GpuBackend, GpuHolder, GpuReading } from "./backends/backend";
export { GPU_MODELS, findGpuModel, type GpuModelSpec } from "./backends/models";
export {
  createSimulatedBackend,
  DEFAULT_SIM_MINER,
  DEMO_TIMINGS,
  type SimulatedBackendOptions,
  type SimulatedFaults,
  type SimulatedTimings,
} from "./backends/simulated";
export type { Spool, SpoolEntry } from "./spool/spool";
export { createMemorySpool } from "./spool/memory-spool";
export { AGENT_VERSION } from "./version";
