import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { getSiteSettings } from "@rigshift/db";
import { DEFAULT_POLICY } from "@rigshift/planner";
import { isDomainError } from "@rigshift/protocol";
import { can } from "@/lib/permissions";
import { requirePageUser } from "@/server/page-auth";
import { getServerDeps } from "@/server/process";
import { SiteSettingsForm } from "./components/site-settings-form";

/** `/sites/[id]`: a site's planning settings; operators and admins edit, others read. */
export const SiteSettingsPage = async ({ params }: { params: Promise<{ id: string }> }) => {
  const user = await requirePageUser();
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const deps = getServerDeps();
  const settings = await getSiteSettings(deps.db, id, deps.now()).catch((err: unknown) => {
    if (isDomainError(err) && err.code === "NOT_FOUND") return null;
    throw err;
  });
  if (!settings) notFound();
  return (
    <div className="space-y-4">
      <h1 className="text-lg font-semibold text-slate-100">
        <Link href="/sites" className="text-slate-400 hover:underline">
          Sites
        </Link>{" "}
        / {settings.name} <span className="text-sm font-normal text-slate-400">· {settings.timezone} · {settings.currency}</span>
      </h1>
      <SiteSettingsForm initial={settings} defaults={{ ...DEFAULT_POLICY }} readOnly={!can(user.role, "planning:write")} role={user.role} />
    </div>
  );
};
