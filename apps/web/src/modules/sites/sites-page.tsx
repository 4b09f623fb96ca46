import Link from "next/link";
import { getSiteSettings, listSiteViews } from "@rigshift/db";
import { requirePageUser } from "@/server/page-auth";
import { getServerDeps } from "@/server/process";

const th = "px-2 py-1.5 text-left text-[11px] font-medium uppercase tracking-wide text-slate-400";
const td = "px-2 py-1.5";

/** `/sites`: every site's planning settings at a glance, each linking to its settings page. */
export const SitesPage = async () => {
  await requirePageUser();
  const deps = getServerDeps();
  const now = deps.now();
  const views = await listSiteViews(deps.db);
  const sites = await Promise.all(views.map(async (v) => ({ view: v, settings: await getSiteSettings(deps.db, v.id, now) })));
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold text-slate-100">Sites</h1>
      <div className="overflow-x-auto rounded-lg border border-slate-800 bg-slate-900/40">
        <table className="w-full border-collapse text-sm">
          <thead className="border-b border-slate-800">
            <tr>
              <th className={th}>Site</th>
              <th className={th}>Time zone</th>
              <th className={th}>Currency</th>
              <th className={`${th} text-right`}>GPUs</th>
              <th className={`${th} text-right`}>Power cap kW</th>
              <th className={th}>Energy price</th>
              <th className={th}>Curtailment</th>
              <th className={th}>Policy overrides</th>
            </tr>
          </thead>
          <tbody>
            {sites.map(({ view, settings: s }) => (
              <tr key={view.id} data-testid={`site-row-${view.id}`} className="border-b border-slate-800/60">
                <td className={td}>
                  <Link href={`/sites/${view.id}`} data-testid={`site-link-${view.id}`} className="text-sky-400 hover:underline">
                    {view.name}
                  </Link>
                </td>
                <td className={td}>{s.timezone}</td>
                <td className={td}>{s.currency}</td>
                <td className={`${td} text-right tabular-nums`}>{view.gpuCount}</td>
                <td data-testid="site-power-cap" className={`${td} text-right tabular-nums`}>
                  {s.powerCapKw}
                </td>
                <td className={td}>{s.energySource === "TARIFF" ? `tariff${s.tariff ? `: ${s.tariff.name}` : " (none in force!)"}` : "price trace"}</td>
                <td className={td}>{s.curtailment ? `above ${s.curtailment.strikePerMwh} ${s.currency}/MWh` : "off"}</td>
                <td className={`${td} text-xs text-slate-300`}>
                  {Object.keys(s.policy).length
                    ? Object.entries(s.policy)
                        .map(([k, v]) => `${k} ${String(v)}`)
                        .join(", ")
                    : "defaults"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
};
