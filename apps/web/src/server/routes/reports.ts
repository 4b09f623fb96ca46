import { getRevenueReport } from "@rigshift/db";
import { ZRevenueQuery } from "@rigshift/protocol";
import { authorize } from "../auth";
import type { ApiDeps } from "../deps";
import { json, parseQuery, route } from "../http";
import { revenueCsv, revenueCsvFilename } from "../revenue-csv";

/** Revenue, energy cost and margin from the ledger: finance and admins only. */
export const reportRoutes = (deps: ApiDeps) => {
  const load = async (request: Request) => {
    await authorize(deps, request, "reports:read");
    const q = parseQuery(request, ZRevenueQuery);
    return getRevenueReport(deps.db, { from: new Date(q.from), to: new Date(q.to), groupBy: q.groupBy });
  };

  return {
    /** GET /api/v1/reports/revenue?from&to&groupBy */
    revenueReport: route(deps, async (request) => json(await load(request), 200, { "cache-control": "no-store" })),

    /** GET /api/v1/reports/revenue.csv?from&to&groupBy */
    revenueReportCsv: route(deps, async (request) => {
      const report = await load(request);
      return new Response(revenueCsv(report), {
        status: 200,
        headers: {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="${revenueCsvFilename(report)}"`,
          "cache-control": "no-store",
        },
      });
    }),
  };
};
