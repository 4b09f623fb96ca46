import type { RecordedGpus } from "./gpu-state-file";

/** Which recorded pids still run (signal 0 tests without signalling); EPERM means alive, not ours to signal. */
export const findAlivePids = (recorded: RecordedGpus): Set<number> => {
  const alive = new Set<number>();
  for (const run of recorded.values()) {
    if (!run?.pid) continue;
    try {
      process.kill(run.pid, 0);
      alive.add(run.pid);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EPERM") alive.add(run.pid);
    }
  }
  return alive;
};
