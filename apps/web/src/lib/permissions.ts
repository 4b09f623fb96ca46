import type { Role } from "@rigshift/protocol";

/**
 * Who may do what. One table for the API (which enforces it) and the pages (which only hide
 * what a role cannot use), so the two never disagree.
 */
export const PERMISSIONS = {
  "fleet:read": ["VIEWER", "OPERATOR", "FINANCE", "ADMIN"],
  "commands:create": ["OPERATOR", "ADMIN"],
  /** Market data, site energy and planning settings, the workload queue, pins and maintenance. */
  "planning:write": ["OPERATOR", "ADMIN"],
  "reports:read": ["FINANCE", "ADMIN"],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export const can = (role: Role, permission: Permission) => (PERMISSIONS[permission] as readonly Role[]).includes(role);

/** Name of the browser session cookie; the gateway's /live reads the same one. */
export const SESSION_COOKIE = "rs_session";
