import { statSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";

/**
 * Whether `next build` must run: `.next/BUILD_ID` is missing or older than a source file of the
 * web app or of a package it bundles. Deliberately coarse (any newer file rebuilds); a
 * needless build costs a minute, a stale one shows yesterday's dashboard.
 */

const SKIP = new Set(["node_modules", ".next", ".turbo", "dist", "generated", "e2e"]);

/** Newest modification time (ms) of the files under `dir`, skipping build output and deps. */
export const newestMtimeMs = (dir: string): number => {
  let newest = 0;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (SKIP.has(entry.name)) continue;
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && !/\.(int|e2e)?\.?test\.ts$/.test(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  if (existsSync(dir)) walk(dir);
  return newest;
};

/** Pure rule, for the unit test: build when there is no build or a source is newer. */
export const buildIsStale = (buildIdMtimeMs: number | null, newestSourceMtimeMs: number) =>
  buildIdMtimeMs === null || newestSourceMtimeMs > buildIdMtimeMs;

export const webBuildIdFile = (root: string) => path.join(root, "apps/web/.next/BUILD_ID");

export const webBuildIsStale = (root: string) => {
  const buildId = webBuildIdFile(root);
  const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : null;
  // The generated Prisma client is rewritten at every start; the schema is what changes it.
  const sources = [path.join(root, "apps/web"), path.join(root, "packages")].map(newestMtimeMs);
  const schema = statSync(path.join(root, "prisma/schema.prisma")).mtimeMs;
  return buildIsStale(builtAt, Math.max(...sources, schema));
};
