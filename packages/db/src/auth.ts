import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

/**
 * Secrets: passwords are argon2id hashes; session, API and rig tokens are 256 random bits
 * handed out once, of which only the SHA-256 is stored (a stolen table grants nothing, and a
 * lookup by hash needs no slow KDF on every request).
 */
export const hashPassword = (password: string) => hash(password);
export const verifyPassword = (passwordHash: string, password: string) => verify(passwordHash, password).catch(() => false);

/** A new random token with a readable prefix that says what it is (rs_session_, rs_api_, rs_rig_, rs_enroll_). */
export const newToken = (kind: "session" | "api" | "rig" | "enroll") => `rs_${kind}_${randomBytes(32).toString("base64url")}`;

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
