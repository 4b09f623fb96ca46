"use client";

import { useState } from "react";
import { ZSessionView } from "@rigshift/protocol";
import { apiFetch } from "@/modules/api-client";

/** Email + password → POST /api/v1/session; the server's message is shown as it is. */
export const LoginForm = ({ next }: { next: string }) => {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await apiFetch("/api/v1/session", ZSessionView, {
        method: "POST",
        body: JSON.stringify({ email: String(form.get("email") ?? "").trim(), password: String(form.get("password") ?? "") }),
      });
      window.location.assign(next);
    } catch (err) {
      setError(err instanceof Error ? err.message : "sign-in failed");
      setBusy(false);
    }
  };

  const input = "w-full rounded border border-slate-700 bg-slate-900 px-3 py-2 text-slate-100 focus:border-sky-500 focus:outline-none";
  return (
    <form onSubmit={submit} className="space-y-4" data-testid="login-form">
      <label className="block space-y-1 text-sm text-slate-300">
        <span>Email</span>
        <input name="email" type="email" autoComplete="username" required data-testid="login-email" className={input} />
      </label>
      <label className="block space-y-1 text-sm text-slate-300">
        <span>Password</span>
        <input name="password" type="password" autoComplete="current-password" required data-testid="login-password" className={input} />
      </label>
      {error ? (
        <p role="alert" data-testid="login-error" className="rounded border border-rose-900 bg-rose-950/50 px-3 py-2 text-sm text-rose-200">
          {error}
        </p>
      ) : null}
      <button
        type="submit"
        disabled={busy}
        data-testid="login-submit"
        className="w-full rounded bg-sky-600 px-3 py-2 font-medium text-white hover:bg-sky-500 disabled:opacity-50"
      >
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
};
