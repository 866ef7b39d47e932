export { maskForms } from "./mask-forms.js";
export { createMasker } from "./masker.js";
export type { Masker, MaskingStream } from "./masker.types.js";
export { createMaskingDestination, type LineDestination } from "./masking-destination.js";
export { createMaskingTransform } from "./masking-transform.js";
