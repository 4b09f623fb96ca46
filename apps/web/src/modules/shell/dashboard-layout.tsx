import { can } from "@/lib/permissions";
import { requirePageUser } from "@/server/page-auth";
import { NavLink } from "./components/nav-link";
import { SignOutButton } from "./components/sign-out-button";

/** Every signed-in page: the header (nav, who is signed in, sign-out) over the page. */
export const DashboardLayout = async ({ children }: { children: React.ReactNode }) => {
  const user = await requirePageUser();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-800 bg-slate-950/80">
        <div className="mx-auto flex max-w-[1600px] items-center gap-4 px-4 py-2">
          <span className="font-semibold tracking-tight text-slate-100">Rigshift</span>
          <nav className="flex gap-1">
            <NavLink href="/" testId="nav-fleet">
              Fleet
            </NavLink>
            <NavLink href="/workloads" testId="nav-workloads">
              Workloads
            </NavLink>
            <NavLink href="/plan" testId="nav-plan">
              What if
            </NavLink>
            <NavLink href="/sites" testId="nav-sites">
              Sites
            </NavLink>
            {can(user.role, "reports:read") ? (
              <NavLink href="/reports" testId="nav-reports">
                Reports
              </NavLink>
            ) : null}
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <span data-testid="user-email" className="text-slate-300">
              {user.email}
            </span>
            <span data-testid="user-role" className="rounded bg-slate-800 px-1.5 py-0.5 text-xs font-medium text-slate-300">
              {user.role}
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-[1600px] px-4 py-4">{children}</main>
    </div>
  );
};
