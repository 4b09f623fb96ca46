import { describeZodError, ZEnrollResponse, type EnrollRequest, type EnrollResponse } from "@rigshift/protocol";
import { z } from "zod";

/** Enrolment did not work; the message is what the operator needs to see. */
export class EnrollError extends Error {
  override name = "EnrollError";
}

// The gateway answers `{ error: { code, message } }`; the web API's problem bodies carry `detail`.
const ZErrorBody = z.object({
  error: z.object({ code: z.string().optional(), message: z.string() }).optional(),
  detail: z.string().optional(),
});

/** POST the one-time token to the server; resolve with the rig's id and own token. */
export const requestEnrollment = async (server: string, request: EnrollRequest, fetchFn: typeof fetch = fetch): Promise<EnrollResponse> => {
  const url = `${server.replace(/\/+$/, "")}/api/agent/enroll`;
  let res: Response;
  try {
    res = await fetchFn(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new EnrollError(`cannot reach ${url}: ${cause ?? (err as Error).message}`);
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const parsed = ZErrorBody.safeParse(body);
    const message = parsed.success ? (parsed.data.error?.message ?? parsed.data.detail) : undefined;
    throw new EnrollError(message ?? `server answered ${res.status} ${res.statusText}`);
  }
  const parsed = ZEnrollResponse.safeParse(body);
  if (!parsed.success) throw new EnrollError(`server sent an unexpected enrolment response: ${describeZodError(parsed.error)}`);
  return parsed.data;
};
