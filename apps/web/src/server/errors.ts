import { type ErrorCode, isDomainError } from "@rigshift/protocol";
import type { Logger } from "./log";

/** Every error code's HTTP status; a new code without one here is a type error. */
const STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  PROTOCOL_INVALID: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  RIG_NOT_FOUND: 404,
  GPU_NOT_FOUND: 404,
  COMMAND_NOT_FOUND: 404,
  GPU_BUSY: 409,
  CONFLICT: 409,
  COMMAND_EXPIRED: 410,
  ENROLLMENT_INVALID: 400,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export type ErrorBody = { error: { code: ErrorCode; message: string; details?: object } };

export const errorResponse = (code: ErrorCode, message: string, details?: object) =>
  Response.json({ error: { code, message, ...(details ? { details } : {}) } } satisfies ErrorBody, { status: STATUS[code] });

/** The one place a request's error becomes a response: expected ones as-is, the rest logged and hidden. */
export const toErrorResponse = (err: unknown, log: Logger) => {
  if (isDomainError(err)) return errorResponse(err.code, err.message, err.details);
  log.error({ err }, "request failed");
  return errorResponse("INTERNAL", "internal error; see the server log");
};
