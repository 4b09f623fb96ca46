import { createApiToken, createSession, deleteSession, findSessionUser } from "@rigshift/db";
import { DomainError, type SessionView, ZCreateTokenBody, ZLoginBody } from "@rigshift/protocol";
import { SESSION_COOKIE } from "../../lib/permissions";
import { authenticate } from "../auth";
import type { ApiDeps } from "../deps";
import { json, parseBody, readCookie, route, serializeCookie } from "../http";

/** Sign-in, the current session, sign-out, and API tokens for the signed-in user. */
export const sessionRoutes = (deps: ApiDeps) => {
  const cookie = (value: string, expires: Date) => serializeCookie(SESSION_COOKIE, value, { expires, secure: deps.config.COOKIE_SECURE });

  return {
    /** POST /api/v1/session — email + password → session cookie. */
    login: route(deps, async (request) => {
      const body = await parseBody(request, ZLoginBody);
      const { token, user, expiresAt } = await createSession(deps.db, { ...body, ttlHours: deps.config.SESSION_TTL_HOURS, now: deps.now() });
      const view: SessionView = { user: { id: user.userId, email: user.email, name: user.name, role: user.role }, expiresAt: expiresAt.toISOString() };
      return json(view, 200, { "set-cookie": cookie(token, expiresAt), "cache-control": "no-store" });
    }),

    /** GET /api/v1/session — the browser session behind the cookie (bearer tokens have no session). */
    getSession: route(deps, async (request) => {
      const token = readCookie(request, SESSION_COOKIE);
      const user = token ? await findSessionUser(deps.db, token, deps.now()) : null;
      if (!user) throw new DomainError("UNAUTHENTICATED", token ? "session expired or signed out; sign in again" : "no session cookie; sign in first");
      const view: SessionView = { user: { id: user.userId, email: user.email, name: user.name, role: user.role }, expiresAt: user.expiresAt.toISOString() };
      return json(view, 200, { "cache-control": "no-store" });
    }),

    /** DELETE /api/v1/session — ends the session (audited) and clears the cookie; 204 even without one. */
    logout: route(deps, async (request) => {
      const token = readCookie(request, SESSION_COOKIE);
      if (token) await deleteSession(deps.db, token);
      return new Response(null, { status: 204, headers: { "set-cookie": cookie("", new Date(0)) } });
    }),

    /** POST /api/v1/tokens — any signed-in user mints a bearer token acting with their own role. */
    createToken: route(deps, async (request) => {
      const caller = await authenticate(deps, request);
      const body = await parseBody(request, ZCreateTokenBody);
      const created = await createApiToken(deps.db, { userId: caller.userId, name: body.name, expiresInDays: body.expiresInDays, now: deps.now() });
      return json(created, 201, { "cache-control": "no-store" });
    }),
  };
};
