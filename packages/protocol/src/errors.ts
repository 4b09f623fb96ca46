import { z } from "zod";

export const ZErrorCode = z.enum([
  "INVALID_INPUT",
  "PROTOCOL_INVALID",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "RIG_NOT_FOUND",
  "GPU_NOT_FOUND",
  "COMMAND_NOT_FOUND",
  "GPU_BUSY",
  "COMMAND_EXPIRED",
  "ENROLLMENT_INVALID",
  "CONFLICT",
  "UNAVAILABLE",
  "INTERNAL",
]);
export type ErrorCode = z.infer<typeof ZErrorCode>;

/** The one error type the edges (route, handler, job) turn into a problem body or a failed ack. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details?: object;

  constructor(code: ErrorCode, message: string, details?: object) {
    super(message);
    this.name = "DomainError";
    this.code = code;
    this.details = details;
  }
}

export const isDomainError = (err: unknown): err is DomainError => err instanceof DomainError;

/** Readable one-line summary of a zod failure that names each offending field. */
export const describeZodError = (error: z.ZodError): string =>
  error.issues
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");

/** Acks on socket.io messages: either ok with a payload or a coded failure. */
export const ZAckFailure = z.object({
  ok: z.literal(false),
  code: ZErrorCode,
  message: z.string(),
});
export type AckFailure = z.infer<typeof ZAckFailure>;
