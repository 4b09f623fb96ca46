import { z } from "zod";
import { DomainError, describeZodError } from "@rigshift/protocol";
import type { ApiDeps } from "./deps";
import { toErrorResponse } from "./errors";

/**
 * The edge of every /api/v1 handler: parsing of body, query and path with zod (a failure is a
 * 400 that names the field), and the one try/catch that turns errors into problem bodies.
 */

export type RouteContext = { params: Promise<Record<string, string>> };
export type Handler = (request: Request, context: RouteContext) => Promise<Response>;

const noParams: RouteContext = { params: Promise.resolve({}) };

export const route =
  (deps: ApiDeps, fn: (request: Request, context: RouteContext) => Promise<Response>): Handler =>
  async (request, context = noParams) => {
    try {
      return await fn(request, context);
    } catch (err) {
      const url = new URL(request.url);
      return toErrorResponse(err, deps.log.child({ method: request.method, path: url.pathname }));
    }
  };

const invalid = (where: string, error: z.ZodError) =>
  new DomainError("INVALID_INPUT", describeZodError(error), {
    in: where,
    issues: error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
  });

/** The JSON body, validated. An empty body reads as `{}`, so schemas with defaults accept it. */
export const parseBody = async <S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> => {
  const text = await request.text();
  let raw: unknown = {};
  if (text.trim() !== "") {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new DomainError("INVALID_INPUT", "body: malformed JSON", { in: "body" });
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid("body", parsed.error);
  return parsed.data;
};

/** Query parameters, validated; an empty value (`?siteId=`) counts as absent. */
export const parseQuery = <S extends z.ZodType>(request: Request, schema: S): z.output<S> => {
  const params = new URL(request.url).searchParams;
  const raw: Record<string, string> = {};
  for (const [key, value] of params) if (value !== "" && !(key in raw)) raw[key] = value;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid("query", parsed.error);
  return parsed.data;
};

const ZIdParam = z.object({ id: z.uuid() });

/** The `[id]` path segment as a uuid; anything else is a 400, not a database error. */
export const parseIdParam = async (context: RouteContext) => {
  const parsed = ZIdParam.safeParse(await context.params);
  if (!parsed.success) throw invalid("path", parsed.error);
  return parsed.data.id;
};

export const json = (body: unknown, status = 200, headers?: HeadersInit) => Response.json(body, { status, headers });

/** Value of one cookie from the Cookie header. */
export const readCookie = (request: Request, name: string) => {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
};

export const serializeCookie = (
  name: string,
  value: string,
  { expires, secure }: { expires: Date; secure: boolean },
) =>
  [`${name}=${encodeURIComponent(value)}`, "Path=/", "HttpOnly", "SameSite=Lax", `Expires=${expires.toUTCString()}`, ...(secure ? ["Secure"] : [])].join(
    "; ",
  );
