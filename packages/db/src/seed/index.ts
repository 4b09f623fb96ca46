export { seedDemoFarm, type DemoFarm, type SeedDemoFarmOptions } from "./demo-farm";
export { DEMO_PASSWORD, DEMO_USERS } from "./demo-layout";
export { GPU_MODELS, type GpuModelName } from "./gpu-models";
