import { DomainError } from "@rigshift/protocol";
import { type AuthenticatedUser, findApiTokenUser, findSessionUser } from "@rigshift/db";
import { can, type Permission, PERMISSIONS, SESSION_COOKIE } from "../lib/permissions";
import type { ApiDeps } from "./deps";
import { readCookie } from "./http";

/** Who is calling: a browser session (cookie) or an API token (bearer). */
export type Caller =
  | (AuthenticatedUser & { via: "session"; sessionId: string; expiresAt: Date; sessionToken: string })
  | (AuthenticatedUser & { via: "token"; tokenId: string });

const BEARER = /^Bearer\s+(rs_api_\S+)$/;

/**
 * A bearer header, when present, decides alone: a bad token is a 401 even with a good cookie,
 * so a script never silently acts as whoever last signed in on the machine.
 */
export const authenticate = async (deps: ApiDeps, request: Request): Promise<Caller> => {
  const now = deps.now();
  const header = request.headers.get("authorization");
  if (header !== null) {
    const match = BEARER.exec(header.trim());
    if (!match) throw new DomainError("UNAUTHENTICATED", "Authorization header must be 'Bearer rs_api_…'");
    const user = await findApiTokenUser(deps.db, match[1]!, now);
    if (!user) throw new DomainError("UNAUTHENTICATED", "API token is unknown, expired or revoked");
    return { ...user, via: "token" };
  }
  const token = readCookie(request, SESSION_COOKIE);
  if (token) {
    const user = await findSessionUser(deps.db, token, now);
    if (user) return { ...user, via: "session", sessionToken: token };
    throw new DomainError("UNAUTHENTICATED", "session expired or signed out; sign in again");
  }
  throw new DomainError("UNAUTHENTICATED", "sign in first: no session cookie or bearer token");
};

/** The caller, if their role grants the permission; 403 naming the roles that would. */
export const authorize = async (deps: ApiDeps, request: Request, permission: Permission): Promise<Caller> => {
  const caller = await authenticate(deps, request);
  if (!can(caller.role, permission)) {
    throw new DomainError("FORBIDDEN", `role ${caller.role} may not ${permission.replace(":", " ")}; needs ${PERMISSIONS[permission].join(" or ")}`, {
      role: caller.role,
      permission,
    });
  }
  return caller;
};

/** Audit actor of a caller: tokens act as themselves, so a leaked token's actions can be traced. */
export const auditActor = (caller: Caller) =>
  caller.via === "token" ? ({ type: "TOKEN", id: caller.tokenId } as const) : ({ type: "USER", id: caller.userId } as const);
