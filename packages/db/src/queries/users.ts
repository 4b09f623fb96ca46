import { DomainError, type Role } from "@rigshift/protocol";
import type { Db, PrismaClient } from "../client";
import { hashPassword, hashToken, newToken, verifyPassword } from "../auth";
import { recordAudit } from "./audit";

/** Users, browser sessions and API tokens. Tokens are returned once; only their hashes are kept. */

export type AuthenticatedUser = { userId: string; email: string; name: string; role: Role };
export type SessionUser = AuthenticatedUser & { sessionId: string; expiresAt: Date };

export const createUser = async (
  db: Db,
  { email, name, password, role }: { email: string; name: string; password: string; role: Role },
) => {
  const user = await db.user.create({
    data: { email: email.toLowerCase(), name, role, passwordHash: await hashPassword(password) },
    select: { id: true, email: true, name: true, role: true },
  });
  await recordAudit(db, { actorType: "SYSTEM", action: "user.created", targetType: "user", targetId: user.id, details: { email: user.email, role } });
  return user;
};

/**
 * Check a password and open a session. Unknown email, wrong password and a disabled user all
 * give the same error, so a login form tells a prober nothing.
 */
export const createSession = async (
  db: PrismaClient,
  { email, password, ttlHours, now }: { email: string; password: string; ttlHours: number; now: Date },
): Promise<{ token: string; user: AuthenticatedUser; expiresAt: Date }> => {
  const user = await db.user.findUnique({ where: { email: email.toLowerCase() } });
  const ok = user !== null && user.disabledAt === null && (await verifyPassword(user.passwordHash, password));
  if (!user || !ok) throw new DomainError("UNAUTHENTICATED", "email or password is wrong");
  const token = newToken("session");
  const expiresAt = new Date(now.getTime() + ttlHours * 3_600_000);
  await db.$transaction(async (tx) => {
    await tx.session.create({ data: { tokenHash: hashToken(token), userId: user.id, createdAt: now, expiresAt } });
    await recordAudit(tx, { actorType: "USER", actorId: user.id, action: "session.created", targetType: "user", targetId: user.id });
  });
  return { token, user: { userId: user.id, email: user.email, name: user.name, role: user.role }, expiresAt };
};

/**
 * The user behind a session cookie, or null when it is unknown, expired or the user disabled.
 * One query (Prisma would send two): every request a browser makes starts here.
 */
export const findSessionUser = async (db: Db, token: string, now: Date): Promise<SessionUser | null> => {
  const [row] = await db.$queryRaw<SessionUser[]>`
    SELECT s.id::text AS "sessionId", s."expiresAt" AS "expiresAt", u.id::text AS "userId", u.email, u.name, u.role::text AS role
      FROM "Session" s JOIN "User" u ON u.id = s."userId"
     WHERE s."tokenHash" = ${hashToken(token)} AND s."expiresAt" > ${now} AND u."disabledAt" IS NULL`;
  return row ?? null;
};

export const deleteSession = async (db: PrismaClient, token: string) => {
  const session = await db.session.findUnique({ where: { tokenHash: hashToken(token) }, select: { id: true, userId: true } });
  if (!session) return;
  await db.$transaction(async (tx) => {
    await tx.session.delete({ where: { id: session.id } });
    await recordAudit(tx, { actorType: "USER", actorId: session.userId, action: "session.deleted", targetType: "user", targetId: session.userId });
  });
};

/** A bearer token for the REST API that acts with its user's role. */
export const createApiToken = async (
  db: PrismaClient,
  { userId, name, expiresInDays, now }: { userId: string; name: string; expiresInDays?: number; now: Date },
) => {
  const token = newToken("api");
  const expiresAt = expiresInDays ? new Date(now.getTime() + expiresInDays * 86_400_000) : null;
  const row = await db.$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: { name, userId, tokenHash: hashToken(token), createdAt: now, expiresAt },
      select: { id: true, name: true },
    });
    await recordAudit(tx, { actorType: "USER", actorId: userId, action: "api_token.created", targetType: "api_token", targetId: created.id, details: { name } });
    return created;
  });
  return { id: row.id, name: row.name, token, expiresAt: expiresAt?.toISOString() ?? null };
};

/** The user behind a bearer token, or null when it is unknown, expired, revoked or the user disabled. */
export const findApiTokenUser = async (db: Db, token: string, now: Date): Promise<(AuthenticatedUser & { tokenId: string }) | null> => {
  const row = await db.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { id: true, expiresAt: true, revokedAt: true, user: { select: { id: true, email: true, name: true, role: true, disabledAt: true } } },
  });
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now) || row.user.disabledAt) return null;
  await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now }, select: { id: true } });
  const { user } = row;
  return { userId: user.id, email: user.email, name: user.name, role: user.role, tokenId: row.id };
};
