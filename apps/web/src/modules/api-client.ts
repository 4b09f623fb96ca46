import type { z } from "zod";

/**
 * The browser's one way to call /api/v1: responses are parsed with the protocol schema, problem
 * bodies become an ApiError that carries the server's message (it names the bad field).
 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

export const apiFetch = async <S extends z.ZodType>(path: string, schema: S, init?: RequestInit): Promise<z.output<S>> => {
  const res = await fetch(path, {
    ...init,
    credentials: "same-origin",
    headers: { accept: "application/json", ...(init?.body ? { "content-type": "application/json" } : {}), ...init?.headers },
  });
  const body: unknown = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    // A session that ended while the page was open: back to the sign-in form.
    if (res.status === 401 && typeof window !== "undefined" && !path.startsWith("/api/v1/session")) window.location.assign("/login");
    throw new ApiError(res.status, error?.code ?? "INTERNAL", error?.message ?? `request failed with HTTP ${res.status}`);
  }
  return schema.parse(body);
};
