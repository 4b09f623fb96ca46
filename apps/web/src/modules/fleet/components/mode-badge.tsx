import type { GpuMode } from "@rigshift/protocol";

const STYLE: Record<GpuMode, string> = {
  HASHING: "bg-amber-500/15 text-amber-300 ring-amber-500/40",
  AI: "bg-violet-500/15 text-violet-300 ring-violet-500/40",
  IDLE: "bg-slate-500/15 text-slate-300 ring-slate-500/40",
  OFFLINE: "bg-rose-500/10 text-rose-300 ring-rose-500/30",
  DRAINING_HASHING: "bg-sky-500/15 text-sky-300 ring-sky-500/40 animate-pulse",
  DRAINING_AI: "bg-sky-500/15 text-sky-300 ring-sky-500/40 animate-pulse",
  STARTING_HASHING: "bg-sky-500/15 text-sky-300 ring-sky-500/40 animate-pulse",
  STARTING_AI: "bg-sky-500/15 text-sky-300 ring-sky-500/40 animate-pulse",
};


/** The mode exactly as the API names it (HASHING, DRAINING_AI…): what operators grep logs for. */
export const ModeBadge = ({ mode, testId }: { mode: GpuMode; testId?: string }) => (
  <span data-testid={testId} data-mode={mode} title={mode} className={`inline-flex items-center rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset ${STYLE[mode]}`}>
    {mode}
  </span>
);
