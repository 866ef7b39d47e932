import type { SecretType } from "@coffer/sdk/secret-types";
import type { ColumnType, Generated } from "kysely";

// Timestamps are ISO-8601 strings in UTC on both dialects, so ordering and comparison behave the
// same on SQLite and PostgreSQL. JSON columns are text for the same reason.

export interface OrganizationsTable {
  id: string;
  slug: string;
  name: string;
  created_at: string;
}

export interface WorkspacesTable {
  id: string;
  organization_id: string;
  slug: string;
  name: string;
  created_at: string;
}

export interface SecretsTable {
  id: string;
  workspace_id: string;
  name: string;
  type: SecretType;
  environment: string;
  description: string | null;
  /** JSON object of string → string. */
  tags: string;
  expires_at: string | null;
  /** True when expires_at was set by the user rather than derived from a certificate. */
  expires_at_manual: ColumnType<number, number, number>;
  current_version_id: string;
  current_version: number;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

export interface SecretVersionsTable {
  id: string;
  secret_id: string;
  workspace_id: string;
  number: number;
  /** base64(iv ‖ tag ‖ AES-256-GCM ciphertext of the JSON key → value object). */
  ciphertext: string;
  /** base64(iv ‖ tag ‖ data key wrapped by the key-encryption key `kid`). */
  wrapped_key: string;
  kid: string;
  /** JSON array of key names, in order. */
  key_names: string;
  /** JSON object of value-free facts (fingerprints, certificate subjects…). */
  metadata: string;
  created_by: string;
  created_at: string;
  /** When a full decrypt last failed (tampered, wrong key); null while none has, or once one succeeds. */
  corrupted_at: ColumnType<string | null, string | null | undefined, string | null>;
}

export type AuditOutcome = "success" | "denied" | "failure";

export interface AuditEventsTable {
  seq: number;
  id: string;
  occurred_at: string;
  actor: string;
  workspace_id: string | null;
  action: string;
  outcome: AuditOutcome;
  target_type: string | null;
  target_id: string | null;
  target_name: string | null;
  environment: string | null;
  request_id: string | null;
  run_id: string | null;
  /** JSON object of value-free facts. */
  details: string;
  prev_hash: string;
  hash: string;
}

export interface AuditAnchorTable {
  id: string;
  count: number;
  hash: string;
  kid: string;
  mac: string;
  updated_at: string;
}

export interface ApiTokensTable {
  id: string;
  workspace_id: string;
  name: string;
  role: "viewer" | "editor" | "admin";
  /** hex SHA-256 of the token; the token itself is never stored. */
  token_hash: string;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface VariablesTable {
  id: string;
  workspace_id: string;
  name: string;
  environment: string;
  description: string | null;
  /** JSON object key → value (variables are not secret and stored in clear). */
  values: string;
  tags: string;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

/** A deployed workflow: one row per (workspace, id); its versions hold the documents. */
export interface WorkflowsTable {
  /** `wf_` + base62. */
  id: string;
  workspace_id: string;
  /** Unique per workspace when set; deploying again under it makes a new version. */
  alias: string | null;
  title: string;
  description: string;
  latest_version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface WorkflowVersionsTable {
  workflow_id: string;
  workspace_id: string;
  version: number;
  /** The document as it was sent (YAML or JSON text). */
  source: string;
  /** The document parsed to JSON (what the engine loads). */
  definition: string;
  created_at: string;
  created_by: string;
}

export type RunStatus = "running" | "succeeded" | "failed" | "cancelled";
export type RunParentKind = "subflow" | "error_handler";

export interface WorkflowRunsTable {
  /** `wfr_` + a time-ordered id. */
  id: string;
  workspace_id: string;
  /** Null for a run of a file (`coffer workflow run FILE`). */
  workflow_id: string | null;
  workflow_version: number | null;
  title: string;
  status: RunStatus;
  /** Why it ended as it did when the status alone does not say (`interrupted`, `cancelled_by_user`…). */
  reason: string | null;
  /** JSON, masked. */
  trigger: string;
  /** The run's effective environment. */
  environment: string;
  /** JSON, masked; null while running. */
  returns: string | null;
  /** JSON `{code, message}`, masked; null unless failed or cancelled. */
  error: string | null;
  parent_run_id: string | null;
  parent_kind: RunParentKind | null;
  parent_action_ref: string | null;
  loop_index: number | null;
  depth: number;
  /** The process executing it (instance id), its host and pid: how a dead owner is recognised. */
  owner_id: string;
  owner_host: string;
  owner_pid: number;
  /** Refreshed by the owner while the run is in flight. */
  heartbeat_at: string;
  created_by: string;
  started_at: string;
  finished_at: string | null;
}

export type ActionRunStatus = "succeeded" | "failed" | "skipped" | "cancelled";

export interface ActionRunsTable {
  run_id: string;
  workspace_id: string;
  ref: string;
  /** Document order. */
  position: number;
  status: ActionRunStatus;
  attempts: number;
  environment: string | null;
  /** JSON, masked. */
  result: string | null;
  /** JSON `{code, type, message}`, masked. */
  error: string | null;
  started_at: string;
  finished_at: string;
}

export interface CofferSchema {
  organizations: OrganizationsTable;
  workspaces: WorkspacesTable;
  secrets: SecretsTable;
  secret_versions: SecretVersionsTable;
  audit_events: AuditEventsTable;
  audit_anchor: AuditAnchorTable;
  api_tokens: ApiTokensTable;
  variables: VariablesTable;
  workflows: WorkflowsTable;
  workflow_versions: WorkflowVersionsTable;
  workflow_runs: WorkflowRunsTable;
  action_runs: ActionRunsTable;
}

export type GeneratedId = Generated<string>;
