import type { Database } from "../db/database.js";

/** Every key id something in the store is wrapped or MACed with: versions and the audit anchor. */
export async function kidsInUse(database: Database): Promise<string[]> {
  const versions = await database.db.selectFrom("secret_versions").select("kid").distinct().execute();
  const anchor = await database.db.selectFrom("audit_anchor").select("kid").execute();
  return [...new Set([...versions.map((r) => r.kid), ...anchor.map((r) => r.kid)])].sort();
}

/** How many secret versions each key id wraps, and the key id that MACs the audit anchor. */
export async function keyUsage(database: Database): Promise<{ versions: Map<string, number>; anchorKid?: string }> {
  const rows = await database.db
    .selectFrom("secret_versions")
    .select(["kid", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy("kid")
    .execute();
  const anchor = await database.db.selectFrom("audit_anchor").select("kid").executeTakeFirst();
  return {
    versions: new Map(rows.map((r) => [r.kid, Number(r.n)])),
    ...(anchor ? { anchorKid: anchor.kid } : {}),
  };
}
