export { startScheduler, type Scheduler, type SchedulerDeps } from "./scheduler";
export { createLog } from "./log";
