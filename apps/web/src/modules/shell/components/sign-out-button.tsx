"use client";

import { useState } from "react";

export const SignOutButton = () => {
  const [busy, setBusy] = useState(false);
  const signOut = async () => {
    setBusy(true);
    await fetch("/api/v1/session", { method: "DELETE", credentials: "same-origin" }).catch(() => undefined);
    // A full load: the next page is rendered without the old session's cached data.
    window.location.assign("/login");
  };
  return (
    <button
      type="button"
      data-testid="sign-out"
      onClick={signOut}
      disabled={busy}
      className="rounded border border-slate-700 px-2 py-1 text-xs text-slate-200 hover:bg-slate-800 disabled:opacity-50"
    >
      Sign out
    </button>
  );
};
