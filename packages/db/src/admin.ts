import pg from "pg";

/** Database name from a postgres URL, and a URL to the server's `postgres` maintenance database. */
export const splitDatabaseUrl = (databaseUrl: string) => {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!name) throw new Error(`DATABASE_URL names no database: ${databaseUrl}`);
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  return { name, adminUrl: admin.toString() };
};

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Create the database named in the URL when it does not exist yet. */
export const ensureDatabase = async (databaseUrl: string): Promise<boolean> => {
  const { name, adminUrl } = splitDatabaseUrl(databaseUrl);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return true;
  } catch (err) {
    // Two processes starting at once may both try; the loser sees duplicate_database.
    if ((err as { code?: string }).code === "42P04") return false;
    throw err;
  } finally {
    await client.end();
  }
};
