import { CofferError } from "../errors/coffer-error.js";

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes bytes that should be a text value. Invalid UTF-8 (a DER file, a binary blob) is refused
 * rather than stored with U+FFFD in place of the bad bytes, which would silently corrupt it.
 * `source` names where the bytes came from ("the file for key X", "the request body").
 */
export function decodeUtf8Value(bytes: Uint8Array, source: string): string {
  try {
    return strict.decode(bytes);
  } catch {
    throw new CofferError(
      "invalid_utf8",
      `${source} is not UTF-8 text (it looks binary). Values are text: store binary data base64-encoded, e.g. \`base64 -w0 file.der\`, and decode it where it is used.`,
      { status: 422 },
    );
  }
}
