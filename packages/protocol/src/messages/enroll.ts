import { z } from "zod";

/** Agent → gateway over HTTP: trade a one-time enrolment token for the rig's own token. */
export const ZEnrollRequest = z.object({
  token: z.string().min(16).max(256),
  hostname: z.string().min(1).max(255),
  agentVersion: z.string().min(1).max(64),
});
export type EnrollRequest = z.infer<typeof ZEnrollRequest>;

export const ZEnrollResponse = z.object({ rigId: z.uuid(), rigToken: z.string().min(32) });
export type EnrollResponse = z.infer<typeof ZEnrollResponse>;
