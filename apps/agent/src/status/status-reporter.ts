import { removeAgentStatus, writeAgentStatus, type AgentStatus } from "./status-file";

/** What the agent knows about itself; the reporter adds pid and times. */
export type AgentStatusSnapshot = Omit<AgentStatus, "pid" | "startedAt" | "updatedAt">;

export type StatusReporterOptions = {
  path: string;
  /** The telemetry interval: `status` calls the agent gone after 3 of them without a write. */
  intervalMs: number;
  snapshot: () => AgentStatusSnapshot;
  now?: () => Date;
  pid?: number;
  /** A failed write is reported, never thrown: the status file must not take the agent down. */
  onError: (err: unknown) => void;
};

export type StatusReporter = {
  /** Write now (after a connect or disconnect) instead of waiting for the next interval. */
  update(): void;
  /** Stop writing and remove the file, so `status` says "not running" at once. */
  stop(): Promise<void>;
};

/** Rewrite the status file every interval, one write at a time, for `rigshift-agent status`. */
export const startStatusReporter = ({ path, intervalMs, snapshot, now = () => new Date(), pid = process.pid, onError }: StatusReporterOptions): StatusReporter => {
  const startedAt = now().toISOString();
  let inFlight: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const write = () => {
    if (stopped) return;
    // A slow disk must not pile up writes; the one after the current write carries the latest state.
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = writeAgentStatus(path, { pid, startedAt, updatedAt: now().toISOString(), ...snapshot() })
      .catch(onError)
      .finally(() => {
        inFlight = null;
        if (again) {
          again = false;
          write();
        }
      });
  };
  write();
  const timer = setInterval(write, intervalMs);
  timer.unref();
  return {
    update: write,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      while (inFlight) await inFlight;
      await removeAgentStatus(path).catch(onError);
    },
  };
};
