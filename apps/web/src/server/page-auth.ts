import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { findSessionUser } from "@rigshift/db";
import { SESSION_COOKIE } from "../lib/permissions";
import { getServerDeps } from "./process";

/**
 * The signed-in user of a page render, or null (no cookie, expired, signed out). Cached per
 * render: the layout and the page both ask, the database is asked once.
 */
export const findPageUser = cache(async () => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  const deps = getServerDeps();
  return findSessionUser(deps.db, token, deps.now());
});

/** Pages behind sign-in: the proxy only checks that a cookie exists, this checks that it is valid. */
export const requirePageUser = async () => {
  const user = await findPageUser();
  if (!user) redirect("/login");
  return user;
};
