import { listGpuViews, listRigViews, listSiteViews } from "@rigshift/db";
import { can } from "@/lib/permissions";
import { requirePageUser } from "@/server/page-auth";
import { getServerDeps, getWebConfig } from "@/server/process";
import { FleetView } from "./components/fleet-view";

/** `/`: rendered with the fleet as of now, then kept live by /live and a 15 s refetch. */
export const FleetPage = async () => {
  const user = await requirePageUser();
  const deps = getServerDeps();
  const config = getWebConfig();
  const [sites, rigs, gpus] = await Promise.all([listSiteViews(deps.db), listRigViews(deps.db), listGpuViews(deps.db, deps.liveStore)]);
  return (
    <FleetView
      initialSites={sites}
      initialRigs={rigs}
      initialGpus={gpus}
      renderedAt={deps.now().getTime()}
      canCommand={can(user.role, "commands:create")}
      gateway={{ url: config.PUBLIC_GATEWAY_URL ?? null, port: config.GATEWAY_PORT }}
    />
  );
};
