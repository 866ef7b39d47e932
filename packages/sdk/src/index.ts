export type {
  ActionContext,
  ActionDefinition,
  ActionLog,
  ActionSecrets,
  ActionSpec,
  LogFields,
} from "./define-action.js";
export {
  ACTION_BRAND,
  ACTION_NAME_PATTERN,
  ACTION_NAMESPACE_PATTERN,
  defineAction,
  isActionDefinition,
  z,
} from "./define-action.js";
export type {
  NamedSecretDeclaration,
  OAuthGrantType,
  OAuthSecretDeclaration,
  SecretDeclaration,
  SecretType,
  StructuredSecretType,
} from "./secret-types.js";
export {
  ENVIRONMENT_NAME_PATTERN,
  isOAuthDeclaration,
  isSecretType,
  KEY_NAME_PATTERN,
  OAUTH_GRANT_TYPES,
  RESERVED_NAME,
  SECRET_NAME_PATTERN,
  SECRET_TYPES,
  STRUCTURED_KEYS,
} from "./secret-types.js";
