import { mkdtemp, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A stand-in miner executable for tests: a plain Node script that serves recorded miner API answers
 * (real captures from shared/fixtures/rig) on a local port, the way the miner would.
 *
 * Config (JSON, first argument): { port, routes: { "/path": "/abs/file.json" } } for HTTP miners, or
 * { port, tcp: { "devs": "/abs/file.json", ... } } for the cgminer TCP API (joined commands answered as
 * {"devs":[…],"pools":[…]}, every reply ended by NUL). Behaviour switches:
 * - crashAfterMs + crashOnceFile: exit 3 after that long, once (the file marks that it happened);
 * - collapseAfterMs: from then on, serve T-Rex documents with every hashrate at 1 %;
 * - ignoreSigterm: survive SIGTERM (only SIGKILL ends it).
 */
const SCRIPT = String.raw`
import { createServer as http } from "node:http";
import { createServer as tcp } from "node:net";
import { readFileSync, existsSync, writeFileSync } from "node:fs";
const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const started = Date.now();
// portFlag: listen where the agent told the miner to (e.g. --api-bind-http 127.0.0.1:4067), as the real one does.
const flagAt = cfg.portFlag ? process.argv.indexOf(cfg.portFlag) : -1;
const port = flagAt > 0 ? Number(process.argv[flagAt + 1].split(":").pop()) : cfg.port;
console.log("fake miner up, pid " + process.pid);
if (cfg.ignoreSigterm) process.on("SIGTERM", () => console.log("ignoring SIGTERM"));
if (cfg.crashAfterMs !== undefined && !(cfg.crashOnceFile && existsSync(cfg.crashOnceFile))) {
  setTimeout(() => {
    if (cfg.crashOnceFile) writeFileSync(cfg.crashOnceFile, "crashed");
    console.error("CUDA error: an illegal memory access was encountered");
    process.exit(3);
  }, cfg.crashAfterMs);
}
const body = (file) => {
  const text = readFileSync(file, "utf8");
  if (cfg.collapseAfterMs === undefined || Date.now() - started < cfg.collapseAfterMs) return text;
  const doc = JSON.parse(text);
  doc.hashrate = Math.round(doc.hashrate / 100);
  for (const g of doc.gpus ?? []) g.hashrate = Math.round(g.hashrate / 100);
  return JSON.stringify(doc);
};
if (cfg.tcp) {
  tcp((socket) => {
    socket.once("data", (data) => {
      const { command } = JSON.parse(data.toString());
      const names = command.split("+");
      const known = names.filter((n) => cfg.tcp[n]);
      let reply;
      if (known.length === 0) reply = JSON.stringify({ STATUS: [{ STATUS: "E", Msg: "Invalid command" }], id: 1 });
      else if (names.length === 1) reply = JSON.stringify(JSON.parse(body(cfg.tcp[names[0]])));
      else reply = JSON.stringify(Object.fromEntries(known.map((n) => [n, [JSON.parse(body(cfg.tcp[n]))]])));
      socket.end(reply + "\0");
    });
  }).listen(port, "127.0.0.1");
} else {
  http((req, res) => {
    const file = cfg.routes[req.url.split("?")[0]];
    if (!file) { res.writeHead(404).end("not found"); return; }
    res.writeHead(200, { "content-type": "application/json" }).end(body(file));
  }).listen(port, "127.0.0.1");
}
`;

export type FakeMinerConfig = {
  port: number;
  /** Listen on the port given after this flag in the miner's own arguments instead. */
  portFlag?: string;
  routes?: Record<string, string>;
  tcp?: Record<string, string>;
  crashAfterMs?: number;
  crashOnceFile?: string;
  collapseAfterMs?: number;
  ignoreSigterm?: boolean;
};

/** Writes the script and its config to a temp dir; returns the command line that runs it. */
export const writeFakeMiner = async (config: FakeMinerConfig) => {
  const dir = await mkdtemp(path.join(tmpdir(), "rigshift-fake-miner-"));
  const script = path.join(dir, "fake-miner.mjs");
  const configPath = path.join(dir, "config.json");
  await writeFile(script, SCRIPT);
  await writeFile(configPath, JSON.stringify(config));
  return { dir, executable: process.execPath, args: [script, configPath] };
};

/** A port nothing listens on right now (the fake miner binds it a moment later). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });

/** Resolves once something listens on the port (a fake miner finished starting). */
export const waitForPort = async (port: number) => {
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect({ host: "127.0.0.1", port }, () => (s.end(), resolve(true)));
      s.on("error", () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fake miner never listened on ${port}`);
};
