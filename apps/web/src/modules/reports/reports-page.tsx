import { getRevenueReport } from "@rigshift/db";
import { can } from "@/lib/permissions";
import { requirePageUser } from "@/server/page-auth";
import { getServerDeps } from "@/server/process";
import { ReportTable } from "./components/report-table";
import { parseReportQuery, toApiQuery, toInputValue } from "./lib/report-query";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const input = "rounded border border-slate-700 bg-slate-900 px-2 py-1 text-sm text-slate-100";

/** `/reports`: revenue, energy cost and margin from the ledger (finance and admins). */
export const ReportsPage = async ({ searchParams }: Props) => {
  const user = await requirePageUser();
  if (!can(user.role, "reports:read")) {
    return (
      <div data-testid="reports-forbidden" className="rounded-lg border border-rose-900 bg-rose-950/40 p-4 text-sm text-rose-200">
        Reports are for finance and admin users; you are signed in as {user.role}.
      </div>
    );
  }
  const deps = getServerDeps();
  const { period, error } = parseReportQuery(await searchParams, deps.now());
  const report = error ? null : await getRevenueReport(deps.db, period);

  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold text-slate-100">Revenue report</h1>
      <form method="get" action="/reports" className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-800 bg-slate-900/40 p-3">
        <label className="flex flex-col gap-1 text-xs text-slate-400">
          From (UTC)
          <input type="datetime-local" name="from" data-testid="report-from" defaultValue={toInputValue(period.from)} className={input} />
        </label>
        <label className="flex flex-col gap-1 text-xs text-slate-400">
          To (UTC, exclusive)
          <input type="datetime-local" name="to" data-testid="report-to" defaultValue={toInputValue(period.to)} className={input} />
        </label>
        <label className="flex flex-col gap-1 text-xs text-slate-400">
          Group by
          <select name="groupBy" data-testid="report-group-by" defaultValue={period.groupBy} className={input}>
            <option value="site">Site</option>
            <option value="rig">Rig</option>
            <option value="gpu">GPU</option>
          </select>
        </label>
        <button type="submit" data-testid="report-submit" className="rounded bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-500">
          Show
        </button>
        {report ? (
          <a
            href={`/api/v1/reports/revenue.csv?${toApiQuery(period)}`}
            data-testid="report-csv"
            download
            className="ml-auto rounded border border-slate-700 px-3 py-1.5 text-sm text-slate-100 hover:bg-slate-800"
          >
            Download CSV
          </a>
        ) : null}
      </form>
      {error ? (
        <p role="alert" data-testid="report-error" className="text-sm text-rose-300">
          {error}
        </p>
      ) : null}
      {report ? (
        <>
          <p className="text-xs text-slate-400">
            Ledger hours starting from {report.from} up to {report.to}, in {report.currency}.
          </p>
          <div className="overflow-x-auto rounded-lg border border-slate-800 bg-slate-900/40">
            <ReportTable report={report} />
          </div>
        </>
      ) : null}
    </div>
  );
};
