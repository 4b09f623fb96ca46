import { loadWebConfig, type WebConfig } from "@rigshift/config";
import { type Api, type ApiHandlerName, createApi } from "./api";
import { type ApiDeps, createServerDeps } from "./deps";
import type { Handler } from "./http";

/**
 * The web process's singletons, built on first use — at request time, never at build time, so
 * `next build` needs no database and `next start` reads the environment it is started with.
 * Kept on globalThis so dev-mode module reloads do not open a new pool per edit.
 */
type ServerState = { config: WebConfig; deps: ApiDeps; api: Api };
const holder = globalThis as typeof globalThis & { __rigshiftWeb?: ServerState };

const state = (): ServerState => {
  if (!holder.__rigshiftWeb) {
    const config = loadWebConfig();
    const deps = createServerDeps(config);
    holder.__rigshiftWeb = { config, deps, api: createApi(deps) };
  }
  return holder.__rigshiftWeb;
};

export const getServerDeps = () => state().deps;
export const getWebConfig = () => state().config;

/** A route file's handler: `export const GET = handle("listSites");`. */
export const handle =
  (name: ApiHandlerName): Handler =>
  (request, context) =>
    state().api[name](request, context);
