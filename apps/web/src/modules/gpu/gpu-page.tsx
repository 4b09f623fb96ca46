import { notFound } from "next/navigation";
import { z } from "zod";
import { getGpuView, listRigViews, listSiteViews } from "@rigshift/db";
import { isDomainError } from "@rigshift/protocol";
import { can } from "@/lib/permissions";
import { requirePageUser } from "@/server/page-auth";
import { getServerDeps, getWebConfig } from "@/server/process";
import { GpuDetail } from "./components/gpu-detail";

/** `/gpus/[id]`: a GPU's details, planning and charts; a malformed or unknown id is the 404 page. */
export const GpuPage = async ({ params }: { params: Promise<{ id: string }> }) => {
  const user = await requirePageUser();
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const deps = getServerDeps();
  const config = getWebConfig();
  const gpu = await getGpuView(deps.db, deps.liveStore, id).catch((err: unknown) => {
    if (isDomainError(err) && err.code === "GPU_NOT_FOUND") return null;
    throw err;
  });
  if (!gpu) notFound();
  const [rigs, sites] = await Promise.all([listRigViews(deps.db, { siteId: gpu.siteId }), listSiteViews(deps.db)]);
  return (
    <GpuDetail
      initialGpu={gpu}
      renderedAt={deps.now().getTime()}
      rigName={rigs.find((r) => r.id === gpu.rigId)?.name ?? "rig"}
      siteName={sites.find((s) => s.id === gpu.siteId)?.name ?? "site"}
      gateway={{ url: config.PUBLIC_GATEWAY_URL ?? null, port: config.GATEWAY_PORT }}
      canPlan={can(user.role, "planning:write")}
    />
  );
};
