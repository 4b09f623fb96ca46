import { bindingLabel, HOLDING_BINDINGS } from "../lib/format-plan";

/** The rule that decided a GPU's target, as a small chip; the planner's full sentence on hover. */
export const BindingChip = ({ binding, reason }: { binding: string; reason?: string }) => (
  <span
    data-testid="plan-binding"
    data-binding={binding}
    title={reason}
    className={`inline-flex items-center whitespace-nowrap rounded px-1.5 py-0.5 text-[11px] font-medium ring-1 ring-inset ${
      HOLDING_BINDINGS.has(binding) ? "bg-amber-500/10 text-amber-300 ring-amber-500/30" : "bg-slate-500/10 text-slate-300 ring-slate-600/40"
    }`}
  >
    {bindingLabel(binding)}
  </span>
);
