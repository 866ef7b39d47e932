/** Validation and normalisation of secret names and of secret values per type. */
export {
  ENVIRONMENT_NAME_PATTERN,
  KEY_NAME_PATTERN,
  SECRET_NAME_PATTERN,
  validateEnvironmentName,
  validateKeyName,
  validateSecretName,
} from "./names.js";
export { normalizePem } from "./pem.js";
export {
  type CertificateFacts,
  DEFAULT_MAX_KEYS,
  DEFAULT_MAX_VALUE_BYTES,
  earliestNotAfter,
  type KeyFacts,
  type KeyValue,
  parseSecretType,
  SECRET_TYPES,
  type SecretMetadata,
  type SecretType,
  STRUCTURED_KEYS,
  type StructuredSecretType,
  type ValidatedSecretValues,
  type ValidateSecretValuesOptions,
  validateSecretValues,
} from "./secret-types.js";
export { decodeUtf8Value } from "./utf8.js";
