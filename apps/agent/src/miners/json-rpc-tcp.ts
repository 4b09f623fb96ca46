import { connect } from "node:net";
import { MinerApiError, type FetchStatsOptions } from "./miner-stats";
import { MinerNotJsonError, parseMinerJson } from "./transport";

/**
 * One JSON-RPC request on a raw TCP socket (Claymore/PhoenixMiner/ethminer `miner_getstat1`, miniZ
 * `getstat`, Excavator). Unlike the cgminer API there is no end marker: Claymore closes the socket
 * after its reply, while ethminer and Excavator keep it open for the next request. So the reply is
 * complete when the socket closes or when what came so far parses as one JSON document.
 */
export const jsonRpcTcp = (host: string, port: number, request: object, { timeoutMs }: FetchStatsOptions): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const where = `tcp://${host}:${port}`;
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect({ host, port });
    const body = () => Buffer.concat(chunks).toString("utf8");
    const finish = (result: { ok: true; value: unknown } | { ok: false; err: Error }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (result.ok) resolve(result.value);
      else reject(result.err);
    };
    const parseNow = (final: boolean) => {
      try {
        finish({ ok: true, value: parseMinerJson(body(), where) });
      } catch (err) {
        // Half a document: wait for the rest, unless the miner has hung up.
        if (!(err instanceof MinerNotJsonError)) throw err;
        if (final) finish({ ok: false, err });
      }
    };
    const timer = setTimeout(
      () => finish({ ok: false, err: new MinerApiError(`cannot read ${where}: no answer within ${timeoutMs} ms`, { url: where }) }),
      timeoutMs,
    );
    // Newline-terminated: Excavator and ethminer read requests line by line.
    socket.on("connect", () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      parseNow(false);
    });
    socket.on("end", () => parseNow(true));
    socket.on("close", () => parseNow(true));
    socket.on("error", (err: NodeJS.ErrnoException) => {
      const reason = err.code === "ECONNREFUSED" ? "connection refused (is the miner running with its API enabled?)" : err.message;
      finish({ ok: false, err: new MinerApiError(`cannot read ${where}: ${reason}`, { url: where }) });
    });
  });

