import { hash, randomBytes, timingSafeEqual } from "node:crypto";
import { type AuditService, targetEvent } from "../audit/audit.service.js";
import type { Database } from "../db/database.js";
import { newId } from "../db/ids.js";
import { convertedOnce } from "../db/immediate-reads.js";
import { CofferError } from "../errors/coffer-error.js";
import type { Actor } from "../secrets/secrets.schema.js";
import type { TokenRow, TokensStore } from "./tokens.store.js";

export const ROLES = ["viewer", "editor", "admin"] as const;
export type Role = (typeof ROLES)[number];

const ROLE_RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };
const TOKEN_PREFIX = "coffer_";
const TOKEN_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9 _.@:-]{0,99}$/;

/** True when `role` may do what `required` may. */
export function roleAllows(role: Role, required: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[required];
}

export function parseRole(input: string): Role {
  if ((ROLES as readonly string[]).includes(input)) return input as Role;
  throw new CofferError(
    "invalid_role",
    `Role '${input.slice(0, 40)}' does not exist. Use one of: ${ROLES.join(", ")}.`,
    {
      status: 422,
      details: { allowed: ROLES },
    },
  );
}

/** A token as Coffer shows it: never the token itself, nor its hash. */
export type TokenItem = TokenRow;

export interface AuthenticatedToken extends TokenItem {
  workspace_slug: string;
}

function hashToken(token: string): string {
  // The one-shot form: every API request hashes its token, and a Hash object costs twice as much.
  return hash("sha256", token, "hex");
}

function sameHash(stored: Buffer, presented: string): boolean {
  const y = Buffer.from(presented, "hex");
  return stored.length === y.length && stored.length > 0 && timingSafeEqual(stored, y);
}

/** A token row's identity (no hash) and its hash's bytes: once per kept row, not per request. */
const identityOf = convertedOnce((row: TokenRow & { workspace_slug: string; token_hash: string }) => {
  const { token_hash, ...identity } = row;
  return { identity: identity as AuthenticatedToken, hashBytes: Buffer.from(token_hash, "hex") };
});

export function createTokensService(deps: {
  store: TokensStore;
  writer: Pick<Database, "writeTransaction">;
  audit: Pick<AuditService, "append">;
  clock: () => Date;
}) {
  const { store, writer, audit, clock } = deps;

  return {
    /** Creates a token; the returned `token` is the only time it exists in clear. */
    async create(
      workspaceId: string,
      input: { role: string; name: string },
      actor: Actor,
    ): Promise<{ token: string; item: TokenItem }> {
      const role = parseRole(input.role);
      if (!TOKEN_NAME_RE.test(input.name)) {
        throw new CofferError(
          "invalid_token_name",
          "A token name is 1–100 characters: letters, digits, spaces and _ . @ : - (starting with a letter or digit).",
          { status: 422 },
        );
      }
      const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
      const item: TokenItem = {
        id: newId(),
        workspace_id: workspaceId,
        name: input.name,
        role,
        created_by: actor.actor,
        created_at: clock().toISOString(),
        last_used_at: null,
      };
      await writer.writeTransaction(async (trx) => {
        await store.insert(trx, { ...item, token_hash: hashToken(token) });
        await audit.append(trx, [
          targetEvent(actor, workspaceId, "token.create", { type: "token", id: item.id, name: item.name }, { role }),
        ]);
      });
      return { token, item };
    },

    async list(workspaceId: string): Promise<TokenItem[]> {
      return store.listActive(workspaceId);
    },

    async revoke(workspaceId: string, id: string, actor: Actor): Promise<void> {
      const row = await store.findActive(workspaceId, id);
      if (!row) {
        throw new CofferError("token_not_found", `No active token with id '${id}' in this workspace.`, { status: 404 });
      }
      await writer.writeTransaction(async (trx) => {
        await store.revoke(trx, id, clock().toISOString());
        await audit.append(trx, [
          targetEvent(actor, workspaceId, "token.revoke", { type: "token", id, name: row.name }),
        ]);
      });
    },

    /**
     * The token's identity, or null. Lookup is by the SHA-256 of the presented token, so the
     * comparison never touches the secret itself and takes the same time for any wrong token.
     */
    async authenticate(token: string): Promise<AuthenticatedToken | null> {
      if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
      const presented = hashToken(token);
      const row = await store.findByHash(presented);
      // The index lookup already matched; this constant-time check keeps the decision itself
      // independent of where two hashes differ, whatever the database does.
      if (!row) return null;
      const { identity, hashBytes } = identityOf(row);
      return sameHash(hashBytes, presented) ? identity : null;
    },
  };
}

export type TokensService = ReturnType<typeof createTokensService>;
