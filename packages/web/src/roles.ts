import type { Role } from "./api/client";

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** What a role may do, as the API's route roles say: viewer reads, editor writes, admin deletes. */
export function can(role: Role, action: "write" | "delete" | "restore"): boolean {
  return RANK[role] >= (action === "write" ? RANK.editor : RANK.admin);
}
