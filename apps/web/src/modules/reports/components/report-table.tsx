import type { RevenueLine, RevenueReport } from "@rigshift/protocol";

const thBase = "px-2 py-1.5 text-[11px] font-medium uppercase tracking-wide text-slate-400";
const th = `${thBase} text-right`;
const num = "px-2 py-1 text-right tabular-nums";

const COLUMNS: { key: keyof RevenueLine; label: string }[] = [
  { key: "hashingRevenueUsd", label: "Hashing USD" },
  { key: "aiRevenueUsd", label: "AI USD" },
  { key: "revenueUsd", label: "Revenue USD" },
  { key: "energyCostUsd", label: "Energy cost USD" },
  { key: "marginUsd", label: "Margin USD" },
  { key: "energyKwh", label: "Energy kWh" },
];

const TOTAL_TEST_IDS: Partial<Record<keyof RevenueLine, string>> = {
  revenueUsd: "report-total-revenue",
  energyCostUsd: "report-total-energy",
  marginUsd: "report-total-margin",
  energyKwh: "report-total-kwh",
  hashingRevenueUsd: "report-total-hashing",
  aiRevenueUsd: "report-total-ai",
};

/** Lines and total exactly as the report (and the CSV) has them: no re-rounding, no float. */
export const ReportTable = ({ report }: { report: RevenueReport }) => (
  <table className="w-full border-collapse text-sm">
    <thead className="border-b border-slate-800">
      <tr>
        <th className={`${thBase} text-left`}>{report.groupBy}</th>
        {COLUMNS.map((c) => (
          <th key={c.key} className={th}>
            {c.label}
          </th>
        ))}
      </tr>
    </thead>
    <tbody>
      {report.lines.length === 0 ? (
        <tr>
          <td colSpan={COLUMNS.length + 1} className="px-2 py-3 text-slate-400">
            No ledger entries in this period.
          </td>
        </tr>
      ) : null}
      {report.lines.map((line) => (
        <tr key={line.key} data-testid="report-row" data-key={line.key} className="border-b border-slate-800/60 hover:bg-slate-800/40">
          <td className="px-2 py-1 text-slate-200">{line.label}</td>
          {COLUMNS.map((c) => (
            <td key={c.key} className={`${num} ${c.key === "marginUsd" && line.marginUsd.startsWith("-") ? "text-rose-300" : ""}`}>
              {line[c.key]}
            </td>
          ))}
        </tr>
      ))}
    </tbody>
    <tfoot className="border-t-2 border-slate-700 font-semibold">
      <tr data-testid="report-total">
        <td className="px-2 py-1.5 text-slate-100">Total</td>
        {COLUMNS.map((c) => (
          <td key={c.key} data-testid={TOTAL_TEST_IDS[c.key]} className={`${num} text-slate-100`}>
            {report.total[c.key]}
          </td>
        ))}
      </tr>
    </tfoot>
  </table>
);
