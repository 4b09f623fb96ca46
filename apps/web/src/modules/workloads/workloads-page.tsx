import { listWorkloadViews } from "@rigshift/db";
import { can } from "@/lib/permissions";
import { requirePageUser } from "@/server/page-auth";
import { getServerDeps } from "@/server/process";
import { WorkloadsView } from "./components/workloads-view";

/** `/workloads`: the AI queue with its placement; operators and admins submit and cancel. */
export const WorkloadsPage = async () => {
  const user = await requirePageUser();
  const workloads = await listWorkloadViews(getServerDeps().db);
  return <WorkloadsView initialWorkloads={workloads} canWrite={can(user.role, "planning:write")} />;
};
