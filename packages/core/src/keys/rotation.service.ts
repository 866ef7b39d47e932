import type { AuditService } from "../audit/audit.service.js";
import { rewrapKey, versionAad } from "../crypto/envelope.js";
import { addKeyToFile, type Keyring } from "../crypto/keyring.js";
import type { Database } from "../db/database.js";
import type { Actor } from "../secrets/secrets.schema.js";
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
  database: Database;
  keyring: Keyring;
  audit: AuditService;
  batchSize: number;
}) {
  const { database, keyring, audit } = deps;
  const db = database.db;

  async function pendingCount(activeKid: string): Promise<number> {
    const row = await db
      .selectFrom("secret_versions")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("kid", "!=", activeKid)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  return {
    /** Removes retired keys nothing uses any more from the key file (see pruneRetiredKeys). */
    prune: (actor: Actor): Promise<PruneResult> => pruneRetiredKeys({ database, keyring, audit }, actor),

    async status(): Promise<KeyStatusRow[]> {
      keyring.reload();
      const rows = await db
        .selectFrom("secret_versions")
        .select(["kid", (eb) => eb.fn.countAll<number>().as("n")])
        .groupBy("kid")
        .execute();
      const counts = new Map(rows.map((r) => [r.kid, Number(r.n)]));
      const kids = new Set([...keyring.kids(), ...counts.keys()]);
      return [...kids].map((kid) => ({
        kid,
        versions: counts.get(kid) ?? 0,
        active: kid === keyring.active.kid,
        known: keyring.get(kid) !== undefined,
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
      let lastId = "";
      for (;;) {
        const rows = await db
          .selectFrom("secret_versions")
          .select(["id", "secret_id", "workspace_id", "wrapped_key", "kid"])
          .where("kid", "!=", target.kid)
          .where("id", ">", lastId)
          .orderBy("id")
          .limit(deps.batchSize)
          .execute();
        if (rows.length === 0) break;
        lastId = rows[rows.length - 1]!.id;
        const updates: { id: string; fromKid: string; wrappedKey: string }[] = [];
        for (const row of rows) {
          const next = rewrapKey(
            keyring,
            versionAad(row.workspace_id, row.secret_id, row.id),
            { wrappedKey: row.wrapped_key, kid: row.kid },
            target,
          );
          if (next) updates.push({ id: row.id, fromKid: row.kid, wrappedKey: next.wrappedKey });
          else unreadable += 1;
        }
        await database.writeTransaction(async (trx) => {
          for (const u of updates) {
            await trx
              .updateTable("secret_versions")
              .set({ wrapped_key: u.wrappedKey, kid: target.kid })
              .where("id", "=", u.id)
              .where("kid", "=", u.fromKid)
              .execute();
          }
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
