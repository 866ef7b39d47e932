import type { AuditService } from "../audit/audit.service.js";
import { rewrapKey, versionAad } from "../crypto/envelope.js";
import { addKeyToFile, type Keyring } from "../crypto/keyring.js";
import type { Database } from "../db/database.js";
import type { Actor } from "../secrets/secrets.schema.js";
import type { VersionKey } from "../secrets/secrets.store.js";
import type { KeysStore } from "./keys.store.js";
import { type PruneResult, pruneRetiredKeys } from "./prune.js";

export interface RotationProgress {
  done: number;
  total: number;
}

export interface RotationResult {
  /** The key every readable version is now wrapped by. */
  activeKid: string;
  /** True when this run added a new key (file mode); false when it resumed or re-wrapped to the env's first key. */
  addedKey: boolean;
  rewrapped: number;
  /** Versions whose data key could not be unwrapped (unknown kid or tampered): left as they are. */
  unreadable: number;
}

export interface KeyStatusRow {
  kid: string;
  versions: number;
  active: boolean;
  known: boolean;
}

export function createRotationService(deps: {
  store: KeysStore;
  writer: Pick<Database, "writeTransaction">;
  keyring: Keyring;
  audit: Pick<AuditService, "record" | "reanchor">;
  batchSize: number;
}) {
  const { store, writer, keyring, audit } = deps;
  const pendingCount = (activeKid: string) => store.countNotWrappedBy(activeKid);

  return {
    /** `coffer keys prune`: drops retired key ids that wrap nothing from the key file. */
    prune: (actor: Actor): Promise<PruneResult> => pruneRetiredKeys(deps, actor),

    async status(): Promise<KeyStatusRow[]> {
      keyring.reload();
      const counts = await store.countByKid();
      const kids = new Set([...keyring.kids(), ...counts.keys()]);
      return [...kids].map((kid) => ({
        kid,
        versions: counts.get(kid) ?? 0,
        active: kid === keyring.active.kid,
        known: keyring.has(kid),
      }));
    },

    /**
     * Re-wraps every data key under the active key, batch by batch, while other processes keep
     * reading (each row is updated only if it still carries the kid it was read with). Safe to run
     * again after a crash: it resumes with whatever is left. In key-file mode a new key is added
     * first, unless an earlier rotation is unfinished.
     */
    async rotate(
      actor: Actor,
      hooks: {
        onStart?: (p: RotationProgress & { resumed: boolean; activeKid: string }) => void;
        onBatch?: (p: RotationProgress) => void;
      } = {},
    ): Promise<RotationResult> {
      keyring.reload();
      let addedKey = false;
      let pending = await pendingCount(keyring.active.kid);
      if (keyring.source === "file" && pending === 0) {
        addKeyToFile(keyring);
        addedKey = true;
        pending = await pendingCount(keyring.active.kid);
      }
      const target = keyring.active;
      hooks.onStart?.({
        done: 0,
        total: pending,
        activeKid: target.kid,
        resumed: !addedKey && pending > 0 && keyring.source === "file",
      });
      let rewrapped = 0;
      let unreadable = 0;
      const broken: VersionKey[] = [];
      let after: VersionKey | null = null;
      for (;;) {
        const rows = await store.batchNotWrappedBy(target.kid, after, deps.batchSize);
        if (rows.length === 0) break;
        const last = rows[rows.length - 1]!;
        after = { secretId: last.secret_id, number: Number(last.number) };
        const updates: (VersionKey & { fromKid: string; wrappedKey: string })[] = [];
        for (const row of rows) {
          const key = { secretId: row.secret_id, number: Number(row.number) };
          const next = rewrapKey(
            keyring,
            versionAad(row.workspace_id, row.secret_id, row.id),
            { wrappedKey: row.wrapped_key, kid: row.kid },
            target,
          );
          if (next) updates.push({ ...key, fromKid: row.kid, wrappedKey: next.wrappedKey });
          else {
            unreadable += 1;
            // A known key that fails to unwrap means the row was altered; an unknown key is the
            // keyring's problem, already visible to listings, and not marked.
            if (keyring.has(row.kid)) broken.push(key);
          }
        }
        await writer.writeTransaction(async (trx) => {
          await store.saveRewrapped(trx, updates, target.kid);
          // Listings show these as corrupted from now on, without decrypting anything.
          await store.markCorrupted(trx, broken.splice(0), new Date().toISOString());
        });
        rewrapped += updates.length;
        hooks.onBatch?.({ done: rewrapped + unreadable, total: pending });
      }
      await audit.reanchor();
      await audit.record([
        {
          actor: actor.actor,
          workspaceId: null,
          action: "keys.rotate",
          targetType: "key",
          targetId: target.kid,
          details: { added_key: addedKey, rewrapped, unreadable },
        },
      ]);
      return { activeKid: target.kid, addedKey, rewrapped, unreadable };
    },
  };
}

export type RotationService = ReturnType<typeof createRotationService>;
