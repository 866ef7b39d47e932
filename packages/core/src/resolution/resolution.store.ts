import { type Kysely, type RawBuilder, sql } from "kysely";
import { createCompiledQueries } from "../db/compiled-queries.js";
import type { CofferSchema } from "../db/schema.js";
import { setVersionsCorrupted, type VersionKey } from "../secrets/secrets.store.js";

/**
 * One row of the run-path read, its columns in SELECT order: a secret's current version (`s`) or
 * a variable (`v`, with nulls for the version's columns). `payload` is the key names (JSON array)
 * of a secret, the values (JSON object) of a variable. An array, not an object: the read returns
 * one row per secret of every action run, and naming each row's ten columns cost a third of it.
 */
export type RunRow = readonly [
  kind: "s" | "v",
  id: string,
  name: string,
  type: string | null,
  version: number | string | null,
  versionId: string | null,
  ciphertext: string | null,
  wrappedKey: string | null,
  kid: string | null,
  payload: string,
];

export function createResolutionStore(db: Kysely<CofferSchema>) {
  const rows = createCompiledQueries();
  return {
    /**
     * Secrets and variables of one environment by name, in one round trip whatever their number:
     * both lookups are branches of one UNION ALL, compiled once per (secrets, variables) count.
     */
    async findForRun(
      workspaceId: string,
      environment: string,
      secretNames: readonly string[],
      variableNames: readonly string[],
    ): Promise<readonly RunRow[]> {
      if (secretNames.length === 0 && variableNames.length === 0) return [];
      const parameters: unknown[] = [];
      if (secretNames.length > 0) parameters.push(workspaceId, environment, ...secretNames);
      if (variableNames.length > 0) parameters.push(workspaceId, environment, ...variableNames);
      return rows<RunRow, CofferSchema>(
        db,
        `findForRun:${secretNames.length}:${variableNames.length}`,
        parameters,
        () => {
          const branches: RawBuilder<unknown>[] = [];
          if (secretNames.length > 0) {
            branches.push(sql`select 's' as kind, s.id, s.name, s.type, s.current_version as version,
              s.current_version_id as version_id, v.ciphertext, v.wrapped_key, v.kid, v.key_names as payload
            from secrets s join secret_versions v on v.secret_id = s.id and v.number = s.current_version
            where s.workspace_id = ${workspaceId} and s.environment = ${environment}
              and s.name in (${sql.join(secretNames)})`);
          }
          if (variableNames.length > 0) {
            // Aliased like the secrets branch: without it a variables-only read has no `payload` column.
            branches.push(sql`select 'v' as kind, id, name, null as type, null as version, null as version_id,
              null as ciphertext, null as wrapped_key, null as kid, ${sql.ref("values")} as payload
            from variables
            where workspace_id = ${workspaceId} and environment = ${environment}
              and name in (${sql.join(variableNames)})`);
          }
          const query = sql`${sql.join(branches, sql` union all `)}`;
          return { compile: () => query.compile(db) };
        },
        "raw",
      );
    },

    markCorrupted: (versions: readonly VersionKey[], at: string) => setVersionsCorrupted(db, versions, at),
  };
}

export type ResolutionStore = ReturnType<typeof createResolutionStore>;
