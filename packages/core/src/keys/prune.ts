import type { AuditService } from "../audit/audit.service.js";
import { type Keyring, keepOnlyKeysInFile } from "../crypto/keyring.js";
import type { Database } from "../db/database.js";
import { CofferError } from "../errors/coffer-error.js";
import type { Actor } from "../secrets/secrets.schema.js";

export interface PruneResult {
  activeKid: string;
  /** Retired key ids taken out of the key file. */
  removed: string[];
}

/**
 * Removes retired keys from the key file once nothing is wrapped or MACed by them: no secret
 * version and not the audit anchor. Never the active key. Refuses, with counts, while any
 * retired key is still in use; in COFFER_ENCRYPTION_KEYS mode says to edit the variable.
 */
export async function pruneRetiredKeys(
  deps: { database: Database; keyring: Keyring; audit: Pick<AuditService, "record"> },
  actor: Actor,
): Promise<PruneResult> {
  const { database, keyring } = deps;
  if (keyring.source !== "file") {
    throw new CofferError(
      "keyring_not_file",
      "Keys come from COFFER_ENCRYPTION_KEYS: drop a retired key by removing it from that variable in every process, once `coffer keys status` shows it wraps 0 versions.",
    );
  }
  keyring.reload();
  const active = keyring.active.kid;
  const retired = keyring.kids().filter((kid) => kid !== active);
  if (retired.length === 0) return { activeKid: active, removed: [] };
  const counts = await database.db
    .selectFrom("secret_versions")
    .select(["kid", (eb) => eb.fn.countAll<number>().as("n")])
    .where("kid", "in", retired)
    .groupBy("kid")
    .execute();
  const anchor = await database.db.selectFrom("audit_anchor").select("kid").executeTakeFirst();
  const inUse = retired
    .map((kid) => ({
      kid,
      versions: Number(counts.find((c) => c.kid === kid)?.n ?? 0),
      anchor: anchor?.kid === kid,
    }))
    .filter((k) => k.versions > 0 || k.anchor);
  if (inUse.length > 0) {
    const what = inUse
      .map((k) =>
        [
          k.versions > 0 ? `'${k.kid}' still wraps ${k.versions} version(s)` : `'${k.kid}'`,
          k.anchor ? "MACs the audit anchor" : "",
        ]
          .filter(Boolean)
          .join(" and "),
      )
      .join("; ");
    throw new CofferError(
      "key_in_use",
      `Nothing removed: retired key ${what}. Run \`coffer keys rotate\` to re-wrap them under '${active}', then prune again.`,
      { details: { keys: inUse, active_kid: active } },
    );
  }
  keepOnlyKeysInFile(keyring, [active]);
  await deps.audit.record([
    { actor: actor.actor, workspaceId: null, action: "keys.prune", details: { removed: retired, active_kid: active } },
  ]);
  return { activeKid: active, removed: retired };
}
