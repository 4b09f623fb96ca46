import type { IncomingMessage, ServerResponse } from "node:http";
import { enrollRig, hashToken, newToken, type PrismaClient } from "@rigshift/db";
import { DomainError, describeZodError, ZEnrollRequest, type EnrollResponse } from "@rigshift/protocol";
import { readJsonBody, sendJson } from "./http-json";

/**
 * POST /api/agent/enroll: a rig trades its one-time enrolment token for a rig token. The rig
 * token is shown once, here; the database keeps only its hash.
 */
export const handleEnroll = async (db: PrismaClient, req: IncomingMessage, res: ServerResponse, now: Date) => {
  const parsed = ZEnrollRequest.safeParse(await readJsonBody(req));
  if (!parsed.success) throw new DomainError("INVALID_INPUT", describeZodError(parsed.error));
  const { token, hostname, agentVersion } = parsed.data;
  const rigToken = newToken("rig");
  const rig = await enrollRig(db, {
    enrollmentTokenHash: hashToken(token),
    rigTokenHash: hashToken(rigToken),
    hostname,
    agentVersion,
    now,
  });
  const body: EnrollResponse = { rigId: rig.id, rigToken };
  sendJson(res, 200, body);
};
