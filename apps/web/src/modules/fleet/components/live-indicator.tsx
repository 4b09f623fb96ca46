import type { LiveState } from "../hooks/use-live";

const DOT: Record<LiveState, string> = { live: "bg-emerald-400", connecting: "bg-amber-400", offline: "bg-rose-500" };
const TEXT: Record<LiveState, string> = { live: "live", connecting: "connecting…", offline: "live updates offline — refreshing every 15 s" };

export const LiveIndicator = ({ state }: { state: LiveState }) => (
  <span data-testid="live-state" data-state={state} className="inline-flex items-center gap-1.5 text-xs text-slate-400">
    <span className={`h-2 w-2 rounded-full ${DOT[state]}`} />
    {TEXT[state]}
  </span>
);
