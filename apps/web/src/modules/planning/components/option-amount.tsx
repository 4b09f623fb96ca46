import { formatUsdPerHour } from "../lib/format-plan";

/**
 * One option's expected USD per hour (net of energy). The option the plan chose is bold and
 * green; a negative one (costs more in power than it earns) is red.
 */
export const OptionAmount = ({ usd, chosen, testId, note }: { usd: string | null; chosen: boolean; testId: string; note?: string }) => {
  if (usd === null) return <span data-testid={testId} className="text-slate-600" title="no such option for this GPU now">—</span>;
  const negative = usd.startsWith("-");
  return (
    <span data-testid={testId} data-chosen={chosen ? "true" : "false"} className="whitespace-nowrap tabular-nums">
      <span className={chosen ? "font-semibold text-emerald-300" : negative ? "text-rose-300" : "text-slate-200"}>{formatUsdPerHour(usd)}</span>
      {note ? <span className="ml-1 text-[11px] text-slate-500">{note}</span> : null}
    </span>
  );
};
