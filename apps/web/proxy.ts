import { type NextRequest, NextResponse } from "next/server";

// The proxy only sees whether a session cookie exists (it must not touch the database); the
// dashboard layout checks that the session is valid and sends stale ones to /login as well.
const SESSION_COOKIE = "rs_session";

export function proxy(request: NextRequest) {
  if (request.cookies.has(SESSION_COOKIE)) return NextResponse.next();
  const login = new URL("/login", request.url);
  const next = request.nextUrl.pathname + request.nextUrl.search;
  if (next !== "/") login.searchParams.set("next", next);
  return NextResponse.redirect(login);
}

export const config = {
  // Pages only: the API answers 401 itself, and /login, assets and Next internals stay open.
  matcher: ["/((?!api/|login|_next/|favicon\\.ico|.*\\.(?:png|svg|ico|txt|webmanifest)$).*)"],
};
