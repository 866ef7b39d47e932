import type { Database } from "../db/database.js";

/** Every key id something in the store is wrapped or MACed with: versions and the audit anchor. */
export async function kidsInUse(database: Database): Promise<string[]> {
  const versions = await database.db.selectFrom("secret_versions").select("kid").distinct().execute();
  const anchor = await database.db.selectFrom("audit_anchor").select("kid").execute();
  return [...new Set([...versions.map((r) => r.kid), ...anchor.map((r) => r.kid)])].sort();
}
