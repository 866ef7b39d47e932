import type { AuditService } from "../audit/audit.service.js";
import { type Keyring, removeKeysFromFile } from "../crypto/keyring.js";
import { CofferError } from "../errors/coffer-error.js";
import type { Actor } from "../secrets/secrets.schema.js";
import type { KeysStore } from "./keys.store.js";

export interface PruneResult {
  activeKid: string;
  /** Retired key ids removed from the key file. */
  removed: string[];
  /** Key ids left in the key file (the active one first). */
  kept: string[];
}

/**
 * `coffer keys prune`: removes retired key ids from the key file once nothing is wrapped by them
 * (no secret version, not the audit anchor). Refuses, removing nothing, while any retired key is
 * still in use; never removes the active key. COFFER_ENCRYPTION_KEYS cannot be edited from here.
 */
export async function pruneRetiredKeys(
  deps: { store: Pick<KeysStore, "keyUsage">; keyring: Keyring; audit: Pick<AuditService, "record"> },
  actor: Actor,
): Promise<PruneResult> {
  const { keyring } = deps;
  keyring.reload();
  const activeKid = keyring.active.kid;
  const retired = keyring.kids().filter((kid) => kid !== activeKid);
  const usage = await deps.store.keyUsage();
  const inUse = retired
    .map((kid) => ({ kid, versions: usage.versions.get(kid) ?? 0, audit_anchor: usage.anchorKid === kid }))
    .filter((u) => u.versions > 0 || u.audit_anchor);
  const unused = retired.filter((kid) => !inUse.some((u) => u.kid === kid));
  const uses = inUse
    .map(
      (u) => `'${u.kid}' still wraps ${u.versions} secret version(s)${u.audit_anchor ? " and the audit anchor" : ""}`,
    )
    .join("; ");

  if (keyring.source !== "file") {
    const advice =
      unused.length > 0
        ? ` Key(s) ${unused.map((k) => `'${k}'`).join(", ")} wrap nothing: remove them from the variable in every process.`
        : retired.length === 0
          ? " It holds only the active key: nothing to prune."
          : "";
    throw new CofferError(
      "keyring_not_file",
      `Keys come from COFFER_ENCRYPTION_KEYS, which Coffer cannot edit: edit that variable instead.${advice}${
        uses ? ` Keep the others until \`coffer keys rotate\` has moved everything off them (${uses}).` : ""
      }`,
      { details: { unused, in_use: inUse } },
    );
  }
  if (inUse.length > 0) {
    throw new CofferError(
      "key_in_use",
      `Nothing was pruned: retired key ${uses}. Run \`coffer keys rotate\` to re-wrap everything under the active key '${activeKid}', then prune again.`,
      { details: { active_kid: activeKid, in_use: inUse } },
    );
  }
  const removed = removeKeysFromFile(keyring, unused);
  if (removed.length > 0) {
    await deps.audit.record([
      {
        actor: actor.actor,
        workspaceId: null,
        action: "keys.prune",
        targetType: "key",
        targetId: keyring.active.kid,
        details: { removed },
      },
    ]);
  }
  return { activeKid: keyring.active.kid, removed, kept: keyring.kids() };
}
