/** HTTP statuses a CofferError may carry; the CLI exits 1 for 4xx (the user's to fix), 2 for 5xx. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 408 | 409 | 413 | 414 | 415 | 422 | 431 | 500 | 503;

/**
 * Every stable error code Coffer emits, with its HTTP status. Clients switch on the code; a code
 * is never renamed. A new code is added here first, so its status is decided once.
 */
export const ERROR_CODES = {
  // requests
  malformed_request: 400,
  invalid_argument: 400,
  invalid_cursor: 400,
  unknown_field: 400,
  invalid_request: 422,
  invalid_query: 400,
  invalid_parameter: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  route_not_found: 404,
  uri_too_long: 414,
  headers_too_large: 431,
  request_timeout: 408,
  unknown_method: 400,
  invalid_version_number: 400,
  internal_error: 500,
  // authentication and access
  missing_token: 401,
  invalid_token: 401,
  insufficient_role: 403,
  ambiguous_token: 409,
  invalid_role: 422,
  invalid_token_name: 422,
  token_not_found: 404,
  // configuration and store
  invalid_config: 400,
  invalid_database_url: 400,
  database_unreachable: 503,
  port_in_use: 409,
  database_unavailable: 503,
  migration_failed: 500,
  not_bootstrapped: 500,
  file_unreadable: 400,
  // keys
  invalid_encryption_keys: 400,
  encryption_keys_required: 400,
  encryption_key_missing: 409,
  keyring_not_file: 400,
  key_not_found: 404,
  key_in_use: 409,
  // audit
  audit_anchor_invalid: 409,
  audit_chain_broken: 409,
  audit_verification_failed: 409,
  // workspaces
  workspace_not_found: 404,
  workspace_exists: 409,
  invalid_workspace_slug: 422,
  // secrets
  secret_not_found: 404,
  secret_exists: 409,
  secret_key_not_found: 404,
  value_mismatch: 409,
  secret_type_immutable: 422,
  secret_corrupted: 409,
  secrets_corrupted: 409,
  version_not_found: 404,
  version_corrupted: 409,
  concurrent_update: 409,
  missing_value: 422,
  invalid_description: 422,
  invalid_tags: 422,
  invalid_expires_at: 422,
  invalid_utf8: 422,
  // names and values (secret-types)
  invalid_secret_name: 422,
  invalid_key_name: 422,
  invalid_environment: 422,
  invalid_secret_type: 422,
  no_keys: 422,
  too_many_keys: 422,
  duplicate_key: 422,
  invalid_value: 422,
  value_too_large: 413,
  invalid_key_set: 422,
  empty_value: 422,
  invalid_ssh_key: 422,
  invalid_private_key: 422,
  encrypted_private_key: 422,
  unsupported_key_type: 422,
  invalid_certificate: 422,
  mtls_key_mismatch: 422,
  // variables
  variable_not_found: 404,
  variable_exists: 409,
  invalid_values: 422,
  value_too_deep: 422,
  // custom actions (sandbox) and the registry
  action_args_invalid: 422,
  action_failed: 500,
  action_timeout: 408,
  action_crashed: 500,
  action_cancelled: 409,
  action_result_invalid: 500,
  action_load_failed: 500,
  sandbox_unavailable: 500,
  // action runs (the executor)
  action_not_found: 404,
  secrets_unresolved: 422,
  expression_error: 422,
  // built-in actions: what went wrong talking to the remote side (the run failed, not Coffer)
  action_aborted: 408,
  http_status_error: 422,
  http_connection_failed: 503,
  http_tls_error: 422,
  http_timeout: 408,
  http_too_many_redirects: 422,
  ssh_host_key_required: 422,
  invalid_host_public_key: 422,
  ssh_host_key_mismatch: 422,
  ssh_auth_failed: 422,
  ssh_connection_failed: 503,
  ssh_timeout: 408,
} as const satisfies Record<string, ErrorStatus>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}
