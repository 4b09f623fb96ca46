import { get } from "node:http";
import net from "node:net";

/** Whether something accepts TCP connections at host:port (a server, not necessarily the right one). */
export const canConnect = (host: string, port: number, timeoutMs = 1_000) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });

/** A port nothing listens on right now; the OS picks it. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Poll until `check` says yes. `failed` is raced against it, so a child that dies while we
 * wait fails the wait at once with its own error instead of after the whole timeout.
 */
export const waitUntil = async (
  what: string,
  check: () => Promise<boolean>,
  { timeoutMs, intervalMs = 250, failed }: { timeoutMs: number; intervalMs?: number; failed?: Promise<never> },
) => {
  const deadline = Date.now() + timeoutMs;
  const poll = async () => {
    while (Date.now() < deadline) {
      if (await check()) return;
      await sleep(intervalMs);
    }
    throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
  };
  await (failed ? Promise.race([poll(), failed]) : poll());
};

/** Any HTTP answer with a status below 500 counts: the server is up, even if it wants a login. */
export const httpAnswers = async (url: string) => {
  try {
    const res = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5_000) });
    await res.body?.cancel();
    return res.status < 500;
  } catch {
    // Refused or reset while the server starts: not up yet, keep polling.
    return false;
  }
};

/**
 * GET on a connection of its own, not kept alive. Behind node:cluster every request on one kept-alive
 * connection reaches the same worker; a new connection per request reaches each in turn.
 */
export const getOnNewConnection = (url: string, timeoutMs = 5_000) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
    req.on("error", reject);
  });
