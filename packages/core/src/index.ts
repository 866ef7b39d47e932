export type { AuditItem, AuditListFilter, AuditPage } from "./audit/audit.listing.js";
export { AUDIT_LIST_DEFAULT_LIMIT, AUDIT_LIST_MAX_LIMIT } from "./audit/audit.listing.js";
export type { Actor, AuditEvent, AuditEventInput, AuditService, AuditVerification } from "./audit/audit.service.js";
export { targetEvent } from "./audit/audit.service.js";
export type { Coffer, OpenCofferOptions } from "./coffer.js";
export { openCoffer } from "./coffer.js";
export type { CofferConfig, LogLevel } from "./config/config.js";
export { loadConfig } from "./config/config.js";
export type { Database, DialectName } from "./db/database.js";
export { describeDatabaseUrl, openDatabase } from "./db/database.js";
export type { ErrorCode, ErrorDetails, ErrorStatus, SerializedCofferError } from "./errors/coffer-error.js";
export { CofferError, isCofferError } from "./errors/coffer-error.js";
export { ERROR_CODES, isErrorCode } from "./errors/error-codes.js";
export type { PruneResult } from "./keys/prune.js";
export type { KeyStatusRow, RotationProgress, RotationResult } from "./keys/rotation.service.js";
export type { Logger, LogMasks } from "./logging/logger.js";
export { createLogger, serializeError } from "./logging/logger.js";
export type {
  ResolutionService,
  ResolvedSecret,
  ResolveForRunInput,
  RunResolution,
} from "./resolution/resolution.service.js";
export type {
  ActionRunInput,
  ActionRunItem,
  ActionRunStatus,
  RunDocument,
  RunError,
  RunFinishInput,
  RunItem,
  RunListFilter,
  RunMask,
  RunOwner,
  RunPage,
  RunParentKind,
  RunStartInput,
  RunStatus,
  RunsService,
} from "./runs/runs.service.js";
export {
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_STALE_MS,
  newRunId,
  parseRunStatus,
  RUN_STATUSES,
} from "./runs/runs.service.js";
export type { KeyValue, SecretMetadata, SecretType } from "./secret-types/index.js";
export { decodeUtf8Value, SECRET_TYPES, STRUCTURED_KEYS, validateKeyName } from "./secret-types/index.js";
export type { ProtectedAwsSecretView } from "./secrets/aws-secret.js";
export {
  AWS_EXTERNAL_ID_KEY,
  AWS_ROLE_ARN_PATTERN,
  checkProtectedAwsSecret,
  isProtectedAwsSecretName,
  PROTECTED_AWS_SECRET_NAMES,
  workspaceExternalId,
} from "./secrets/aws-secret.js";
export type { SecretExpiry } from "./secrets/expiry.js";
export { EXPIRING_WITHIN_DAYS } from "./secrets/expiry.js";
export type { SecretCheckResult } from "./secrets/secret-check.js";
export type {
  SecretCreateInput,
  SecretItem,
  SecretListFilter,
  SecretPage,
  SecretStatus,
  SecretSummary,
  SecretSummaryPage,
  SecretUpdateInput,
  SecretVersionItem,
} from "./secrets/secrets.schema.js";
export type { SecretsService, VerifyProblem, VerifyReport } from "./secrets/secrets.service.js";
export { DEFAULT_ENVIRONMENT } from "./secrets/secrets.service.js";
export type { AuthenticatedToken, Role, TokenItem, TokensService } from "./tokens/tokens.service.js";
export { parseRole, ROLES, roleAllows } from "./tokens/tokens.service.js";
export type {
  VariableCreateInput,
  VariableItem,
  VariablesService,
  VariableUpdateInput,
} from "./variables/variables.service.js";
export type {
  DeployedVersion,
  WorkflowDeployInput,
  WorkflowItem,
  WorkflowLookupInput,
  WorkflowPage,
  WorkflowsService,
  WorkflowVersionDetail,
} from "./workflows/workflows.service.js";
export { validateAlias, WORKFLOW_ID_RE } from "./workflows/workflows.service.js";
export type { WorkspaceItem, WorkspacesService } from "./workspaces/workspaces.service.js";
