import { connect } from "node:net";
import { MinerApiError, type FetchStatsOptions } from "./miner-stats";

/** Why a request failed, in words a rig operator acts on ("connection refused" = miner not running). */
const describeNetworkError = (err: unknown, timeoutMs: number): string => {
  const e = err as { name?: string; code?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs} ms`;
  const code = e.cause?.code ?? e.code;
  if (code === "ECONNREFUSED") return "connection refused (is the miner running with its API enabled?)";
  if (code === "ECONNRESET") return "connection reset by the miner";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host not found";
  return e.cause?.message ?? e.message ?? String(err);
};

/** GET a miner HTTP endpoint; the body as text. HTTP errors carry `status` so drivers can try another path. */
export class MinerHttpError extends MinerApiError {
  override name = "MinerHttpError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message, { status });
  }
}

export const httpGetText = async (url: URL, { timeoutMs }: FetchStatsOptions): Promise<string> => {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
  } catch (err) {
    throw new MinerApiError(`cannot read ${url.href}: ${describeNetworkError(err, timeoutMs)}`, { url: url.href });
  }
  let body: string;
  try {
    body = await res.text();
  } catch (err) {
    throw new MinerApiError(`cannot read ${url.href}: ${describeNetworkError(err, timeoutMs)}`, { url: url.href });
  }
  if (!res.ok) throw new MinerHttpError(`${url.href} answered HTTP ${res.status}`, res.status);
  return body;
};

/**
 * Parse a miner's JSON body. Miners pad it with blank lines (GMiner), end it with NUL (cgminer family)
 * or a trailing newline; anything that still is not JSON is reported with the start of what came back.
 */
/** The miner answered, but not with JSON (an HTML status page, a truncated body). */
export class MinerNotJsonError extends MinerApiError {
  override name = "MinerNotJsonError";
}

export const parseMinerJson = (body: string, source: string): unknown => {
  const trimmed = body.replace(/\0+$/g, "").trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    const preview = trimmed.slice(0, 80).replace(/\s+/g, " ");
    throw new MinerNotJsonError(`${source} did not answer JSON${preview ? `: "${preview}"` : " (empty body)"}`, { source });
  }
};

export const httpGetJson = async (url: URL, options: FetchStatsOptions): Promise<unknown> =>
  parseMinerJson(await httpGetText(url, options), url.href);

/** `path` on the API's host and port; a path in --api itself (http://host:port/summary) wins. */
export const endpoint = (api: URL, path: string): URL => {
  if (api.pathname !== "/" && api.pathname !== "") return api;
  return new URL(path, api);
};

/**
 * One request on a raw TCP socket, cgminer style: send the command, read until the miner closes the
 * connection or sends the NUL that ends its reply (TeamRedMiner keeps the socket open after it).
 */
export const tcpRequest = (host: string, port: number, payload: string, { timeoutMs }: FetchStatsOptions): Promise<string> =>
  new Promise((resolve, reject) => {
    const where = `tcp://${host}:${port}`;
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect({ host, port });
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks).toString("utf8").replace(/\0[\s\S]*$/, ""));
    };
    const timer = setTimeout(
      () => finish(new MinerApiError(`cannot read ${where}: no answer within ${timeoutMs} ms`, { url: where })),
      timeoutMs,
    );
    socket.on("connect", () => socket.write(payload));
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      if (chunk.includes(0)) finish(null);
    });
    socket.on("end", () => finish(null));
    socket.on("close", () => finish(null));
    socket.on("error", (err) => finish(new MinerApiError(`cannot read ${where}: ${describeNetworkError(err, timeoutMs)}`, { url: where })));
  });

/** host and port of a tcp:// (or http://) API URL; the cgminer API's default port is 4028. */
export const tcpTarget = (api: URL, defaultPort: number) => ({
  host: api.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
  port: api.port ? Number(api.port) : defaultPort,
});
