import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A stand-in for miners with a JSON-RPC API on raw TCP (Claymore/PhoenixMiner/ethminer, miniZ,
 * Excavator): a plain Node script that answers each request's `method` with a real capture from
 * shared/fixtures/rig, byte for byte. Claymore hangs up after its reply; ethminer and Excavator keep
 * the connection open (`keepOpen`), so a client must not wait for the close. Only tests import this.
 */
const SCRIPT = String.raw`
import { createServer } from "node:net";
import { readFileSync } from "node:fs";
const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
createServer((socket) => {
  let buffered = "";
  socket.on("data", (data) => {
    buffered += data.toString();
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const { method } = JSON.parse(line);
      const file = cfg.methods[method];
      const reply = file ? readFileSync(file, "utf8") : JSON.stringify({ id: 1, error: "Method not found" }) + "\n";
      if (cfg.keepOpen) socket.write(reply);
      else socket.end(reply);
    }
  });
  socket.on("error", () => undefined);
}).listen(cfg.port, "127.0.0.1");
console.log("fake json-rpc miner up, pid " + process.pid);
`;

export type FakeJsonRpcMinerConfig = {
  port: number;
  /** JSON-RPC method → absolute path of the file to answer with. */
  methods: Record<string, string>;
  keepOpen?: boolean;
};

/** Writes the script and its config to a temp dir; returns the command line that runs it. */
export const writeFakeJsonRpcMiner = async (config: FakeJsonRpcMinerConfig) => {
  const dir = await mkdtemp(path.join(tmpdir(), "rigshift-fake-rpc-miner-"));
  const script = path.join(dir, "fake-json-rpc-miner.mjs");
  const configPath = path.join(dir, "config.json");
  await writeFile(script, SCRIPT);
  await writeFile(configPath, JSON.stringify(config));
  return { dir, executable: process.execPath, args: [script, configPath] };
};
