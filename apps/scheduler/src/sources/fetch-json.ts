/**
 * GET a JSON document from an HTTP source. Fails (for the job to retry) on a timeout, a non-2xx
 * status, an oversized body or text that is not JSON, each with a message that names the URL.
 */
// A year of hourly prices as JSON is a few MB; more than this is a wrong URL, not a feed.
const MAX_BYTES = 20 * 1024 * 1024;

export const fetchJson = async (url: string, { timeoutMs }: { timeoutMs: number }): Promise<unknown> => {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" }, redirect: "follow" });
  } catch (err) {
    const why = (err as Error).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (err as Error).message;
    throw new Error(`GET ${url}: ${why}`);
  }
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  const text = await res.text();
  if (text.length > MAX_BYTES) throw new Error(`GET ${url}: body over ${MAX_BYTES} bytes`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`GET ${url}: the body is not JSON`);
  }
};

/** The value at a dot path (`data.items`, `quote.USD.price`, `0.price`), or undefined. */
export const readPath = (doc: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((value, key) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined), doc);
