import type { IncomingMessage, ServerResponse } from "node:http";
import { DomainError, type ErrorCode } from "@rigshift/protocol";

/** The few HTTP helpers the gateway's two routes need: bounded JSON bodies and problem replies. */

const MAX_BODY_BYTES = 16 * 1024;

export const readJsonBody = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new DomainError("INVALID_INPUT", `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError("INVALID_INPUT", "request body is not valid JSON");
  }
};

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  INVALID_INPUT: 400,
  PROTOCOL_INVALID: 400,
  UNAUTHENTICATED: 401,
  ENROLLMENT_INVALID: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAVAILABLE: 503,
};

export const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
};

export const sendError = (res: ServerResponse, err: DomainError) =>
  sendJson(res, STATUS_OF[err.code] ?? 500, { error: { code: err.code, message: err.message } });
