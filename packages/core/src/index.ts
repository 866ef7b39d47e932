export type { ErrorDetails, ErrorStatus } from "./errors/coffer-error.js";
export { CofferError, isCofferError } from "./errors/coffer-error.js";
