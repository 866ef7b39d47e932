import type { SecretType } from "@coffer/sdk/secret-types";
import type { Actor, AuditEventInput, AuditService } from "../audit/audit.service.js";
import { openValues, versionAad } from "../crypto/envelope.js";
import type { Keyring } from "../crypto/keyring.js";
import type { VersionKey } from "../secrets/secrets.store.js";
import type { ResolutionStore } from "./resolution.store.js";

/** One secret as an action run receives it. */
export interface ResolvedSecret {
  id: string;
  name: string;
  type: SecretType;
  environment: string;
  version: number;
  keys: string[];
  /** null when the current version cannot be decrypted (see `corrupted`). */
  values: Record<string, string> | null;
}

export interface ResolveForRunInput {
  workspaceId: string;
  environment: string;
  secretNames: readonly string[];
  variableNames?: readonly string[];
  /** Keys each secret must have (from references and declarations): reported when absent. */
  requiredKeys?: Readonly<Record<string, readonly string[]>>;
  runId?: string;
  /** The action the values are for (`core.http_request`): recorded in each `secret.use` event. */
  actionId?: string;
  actor: Actor;
  /**
   * `record` (the default): the use-audit batch is written before the values are returned.
   * `return`: the events come back in `useEvents`, for a caller that writes them in the same
   * transaction as its own run records — and must do so before the action gets the values.
   */
  useAudit?: "record" | "return";
}

export interface RunResolution {
  secrets: Map<string, ResolvedSecret>;
  variables: Map<string, Record<string, unknown>>;
  /** Names with no secret in this environment (lookup is exact: `default` is not a fallback). */
  missingSecrets: string[];
  missingVariables: string[];
  /** Required keys a found secret lacks, with the keys it has. */
  missingKeys: { secret: string; missing: string[]; available: string[] }[];
  /** Found secrets whose current version would not decrypt. */
  corrupted: { secret: string; version: number }[];
  /** True when the run can go ahead: nothing missing, nothing corrupted. */
  complete: boolean;
  /** The use-audit events, when the caller asked to write them itself (`useAudit: "return"`); else empty. */
  useEvents: AuditEventInput[];
}

/**
 * The run path's one call: read every secret and variable an action run needs in one round trip,
 * decrypt the secrets, and write one batch of use-audit events (secret, version, environment,
 * action, run, actor — never a value). Values exist only in the returned map.
 */
export function createResolutionService(deps: {
  store: ResolutionStore;
  keyring: Keyring;
  audit: Pick<AuditService, "record">;
  clock: () => Date;
}) {
  const { store, keyring, audit, clock } = deps;

  return {
    async resolveForRun(input: ResolveForRunInput): Promise<RunResolution> {
      const secretNames = [...new Set(input.secretNames)];
      const variableNames = [...new Set(input.variableNames ?? [])];
      const found = await store.findForRun(input.workspaceId, input.environment, secretNames, variableNames);
      const secrets = new Map<string, ResolvedSecret>();
      const variables = new Map<string, Record<string, unknown>>();
      const corrupted: RunResolution["corrupted"] = [];
      const corruptedVersions: VersionKey[] = [];
      for (const [kind, id, name, type, storedVersion, versionId, ciphertext, wrappedKey, kid, payload] of found) {
        if (kind === "v") {
          variables.set(name, JSON.parse(payload) as Record<string, unknown>);
          continue;
        }
        const opened = openValues(keyring, versionAad(input.workspaceId, id, versionId ?? ""), {
          ciphertext: ciphertext ?? "",
          wrappedKey: wrappedKey ?? "",
          kid: kid ?? "",
        });
        const version = Number(storedVersion);
        if (!opened.ok) {
          corrupted.push({ secret: name, version });
          // Only a failure under a key this process has is the row's fault; mark that one.
          if (opened.reason === "undecryptable") corruptedVersions.push({ secretId: id, number: version });
        }
        secrets.set(name, {
          id,
          name,
          type: type as SecretType,
          environment: input.environment,
          version,
          keys: JSON.parse(payload) as string[],
          values: opened.ok ? opened.values : null,
        });
      }
      const missingKeys: RunResolution["missingKeys"] = [];
      for (const [name, keys] of Object.entries(input.requiredKeys ?? {})) {
        const secret = secrets.get(name);
        if (!secret) continue;
        const missing = keys.filter((k) => !secret.keys.includes(k));
        if (missing.length > 0) missingKeys.push({ secret: name, missing, available: secret.keys });
      }
      const missingSecrets = secretNames.filter((n) => !secrets.has(n));
      const missingVariables = variableNames.filter((n) => !variables.has(n));

      const events: AuditEventInput[] = [];
      const { requestId } = input.actor;
      const { runId, actionId } = input;
      for (const secret of secrets.values()) {
        const details: Record<string, unknown> = { version: secret.version };
        if (actionId) details.action = actionId;
        const event: AuditEventInput = {
          actor: input.actor.actor,
          workspaceId: input.workspaceId,
          action: "secret.use",
          outcome: secret.values ? "success" : "failure",
          targetType: "secret",
          targetId: secret.id,
          targetName: secret.name,
          environment: input.environment,
          details,
        };
        // Set only when present (no spread of a throwaway object per event: this runs per secret per run).
        if (requestId) event.requestId = requestId;
        if (runId) event.runId = runId;
        events.push(event);
      }
      const returned = input.useAudit === "return";
      if (!returned) await audit.record(events);
      // Later metadata reads show the secret as corrupted without decrypting it themselves.
      if (corruptedVersions.length > 0) await store.markCorrupted(corruptedVersions, clock().toISOString());
      return {
        secrets,
        variables,
        missingSecrets,
        missingVariables,
        missingKeys,
        corrupted,
        complete:
          missingSecrets.length === 0 &&
          missingVariables.length === 0 &&
          missingKeys.length === 0 &&
          corrupted.length === 0,
        useEvents: returned ? events : [],
      };
    },
  };
}

export type ResolutionService = ReturnType<typeof createResolutionService>;
