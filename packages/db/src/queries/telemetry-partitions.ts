import type { PrismaClient } from "../client";

/**
 * Daily partitions of raw telemetry, "TelemetryMessage" (see the telemetry_partitions and
 * telemetry_message_rows migrations): one table per UTC day named "TelemetryMessage_pYYYYMMDD",
 * plus "TelemetryMessage_default" for rows no day covers.
 * Names come from dates only, never from input, so they are safe to splice into DDL.
 */

const DAY_MS = 86_400_000;
const TABLE = "TelemetryMessage";
const PREFIX = `${TABLE}_p`;

export const dayStartOf = (at: Date) => new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
const partitionName = (day: Date) => `${PREFIX}${day.toISOString().slice(0, 10).replaceAll("-", "")}`;
const dayOfName = (name: string) => {
  const m = /^TelemetryMessage_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`) : null;
};

/** Day partitions that exist, oldest first. */
export const listTelemetryPartitions = async (db: PrismaClient) => {
  const rows = await db.$queryRaw<{ name: string }[]>`
    SELECT c.relname AS name FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = ${TABLE} AND p.relnamespace = current_schema()::regnamespace`;
  return rows
    .map((r) => ({ name: r.name, day: dayOfName(r.name) }))
    .filter((p): p is { name: string; day: Date } => p.day !== null)
    .sort((a, b) => a.day.getTime() - b.day.getTime());
};

/**
 * Attaching a day waits for every transaction reading the default partition (a long fold or report),
 * and moving a day's rows out of it grows with them. Prisma's default 5 s rolled that back: a day
 * whose rows took longer to move never got its partition, and one held up by a long read waited for
 * the next hourly run.
 */
const ATTACH_TIMEOUT_MS = 15 * 60_000;

/**
 * Make sure the days [from, from + days) have partitions. Rows of such a day that already sit in
 * the default partition (it took them while the day had none) move into the new partition in
 * the same transaction, since PostgreSQL refuses to attach a range the default still holds.
 */
export const ensureTelemetryPartitions = async (db: PrismaClient, { from, days }: { from: Date; days: number }) => {
  const existing = new Set((await listTelemetryPartitions(db)).map((p) => p.name));
  const created: string[] = [];
  for (let i = 0; i < days; i++) {
    const day = new Date(dayStartOf(from).getTime() + i * DAY_MS);
    const name = partitionName(day);
    if (existing.has(name)) continue;
    const lo = day.toISOString();
    const hi = new Date(day.getTime() + DAY_MS).toISOString();
    await db.$transaction([
      db.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS "${name}" (LIKE "${TABLE}" INCLUDING DEFAULTS)`),
      db.$executeRawUnsafe(
        `WITH moved AS (DELETE FROM "${TABLE}_default" WHERE "at" >= '${lo}' AND "at" < '${hi}' RETURNING *)
         INSERT INTO "${name}" SELECT * FROM moved`,
      ),
      db.$executeRawUnsafe(`ALTER TABLE "${TABLE}" ATTACH PARTITION "${name}" FOR VALUES FROM ('${lo}') TO ('${hi}')`),
    ], { timeout: ATTACH_TIMEOUT_MS });
    created.push(name);
  }
  return created;
};

/**
 * Drop the day partitions wholly before `before` (a DROP TABLE, not a DELETE of millions of
 * rows), and delete the few rows before it that the default partition holds.
 */
export const dropTelemetryBefore = async (db: PrismaClient, { before }: { before: Date }) => {
  const dropped: string[] = [];
  for (const p of await listTelemetryPartitions(db)) {
    if (p.day.getTime() + DAY_MS > before.getTime()) break;
    await db.$executeRawUnsafe(`DROP TABLE IF EXISTS "${p.name}"`);
    dropped.push(p.name);
  }
  const defaultRows = await db.$executeRawUnsafe(`DELETE FROM "${TABLE}_default" WHERE "at" < $1`, before);
  return { dropped, defaultRows };
};
