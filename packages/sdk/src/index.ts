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
