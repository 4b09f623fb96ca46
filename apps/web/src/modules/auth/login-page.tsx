import { redirect } from "next/navigation";
import { findPageUser } from "@/server/page-auth";
import { LoginForm } from "./components/login-form";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

// Only a path on this site: `?next=https://evil.example` must not turn sign-in into a redirector.
const safeNext = (value: string | string[] | undefined) => {
  const v = Array.isArray(value) ? value[0] : value;
  return v && v.startsWith("/") && !v.startsWith("//") && !v.startsWith("/\\") ? v : "/";
};

/** `/login`; a signed-in user goes straight on. */
export const LoginPage = async ({ searchParams }: Props) => {
  const next = safeNext((await searchParams).next);
  if (await findPageUser()) redirect(next);
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-xl border border-slate-800 bg-slate-900/60 p-6 shadow-xl">
        <h1 className="mb-1 text-xl font-semibold text-slate-100">Rigshift</h1>
        <p className="mb-6 text-sm text-slate-400">Sign in to the fleet console.</p>
        <LoginForm next={next} />
      </div>
    </main>
  );
};
