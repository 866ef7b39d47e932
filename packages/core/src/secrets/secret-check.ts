import { createHash, timingSafeEqual } from "node:crypto";
import type { Actor, AuditEventInput } from "../audit/audit.service.js";
import { targetEvent } from "../audit/audit.service.js";
import type { OpenResult } from "../crypto/envelope.js";
import { CofferError } from "../errors/coffer-error.js";

/** What `coffer secrets check` learns: whether the candidate equals the stored value. Never a value. */
export interface SecretCheckResult {
  match: boolean;
  name: string;
  environment: string;
  key: string;
  version: number;
}

/** Equal strings, compared in constant time over their SHA-256 digests (so lengths leak nothing either). */
export function sameValue(stored: string, candidate: string): boolean {
  const a = createHash("sha256").update(stored, "utf8").digest();
  const b = createHash("sha256").update(candidate, "utf8").digest();
  return timingSafeEqual(a, b);
}

/**
 * Compares a candidate with the stored value of one key of a secret's current version and audits
 * the check (`secret.check`, with the key and the result). `open` decrypts the current version.
 */
export async function checkSecretValue(deps: {
  workspaceId: string;
  secret: { id: string; name: string; environment: string; key_names: string[]; current_version: number };
  key: string;
  candidate: string;
  actor: Actor;
  open: () => Promise<OpenResult>;
  record: (events: AuditEventInput[]) => Promise<void>;
}): Promise<SecretCheckResult> {
  const { secret, key } = deps;
  if (!secret.key_names.includes(key)) {
    throw new CofferError(
      "secret_key_not_found",
      `Secret '${secret.name}' in environment '${secret.environment}' has no key '${key}' (its keys: ${secret.key_names.join(", ")}).`,
      { details: { name: secret.name, environment: secret.environment, key, keys: secret.key_names } },
    );
  }
  const opened = await deps.open();
  const stored = opened.ok ? opened.values[key] : undefined;
  if (stored === undefined) {
    throw new CofferError(
      "secret_corrupted",
      `Secret '${secret.name}' cannot be decrypted, so its value cannot be checked. Re-enter the value of every key to repair it.`,
      { details: { name: secret.name, keys: secret.key_names } },
    );
  }
  const match = sameValue(stored, deps.candidate);
  await deps.record([
    {
      ...targetEvent(
        deps.actor,
        deps.workspaceId,
        "secret.check",
        { type: "secret", id: secret.id, name: secret.name, environment: secret.environment },
        { key, match, version: secret.current_version },
      ),
      outcome: match ? "success" : "failure",
    },
  ]);
  return { match, name: secret.name, environment: secret.environment, key, version: secret.current_version };
}
