export type {
  ActionContext,
  ActionDefinition,
  ActionLog,
  ActionSecrets,
  ActionSpec,
  LogFields,
  NamedSecretDeclaration,
  OAuthGrantType,
  OAuthSecretDeclaration,
  SecretDeclaration,
} from "./define-action.js";
export {
  ACTION_BRAND,
  ACTION_NAME_PATTERN,
  ACTION_NAMESPACE_PATTERN,
  defineAction,
  isActionDefinition,
  isOAuthDeclaration,
  OAUTH_GRANT_TYPES,
  z,
} from "./define-action.js";
export type { SecretType, StructuredSecretType } from "./secret-types.js";
export {
  ENVIRONMENT_NAME_PATTERN,
  isSecretType,
  KEY_NAME_PATTERN,
  RESERVED_NAME,
  SECRET_NAME_PATTERN,
  SECRET_TYPES,
  STRUCTURED_KEYS,
} from "./secret-types.js";
