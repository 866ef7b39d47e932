// ASN, CVE and hash extraction (reference §2.18): fixed patterns with Python's Unicode \b.
import { WORD } from "./common.js";

const bounded = (body: string) => new RegExp(`(?<![${WORD}])${body}(?![${WORD}])`, "gu");

export const ASN = bounded("AS\\p{Nd}+");
// No word boundaries, as in Tracecat: CVE-2021-12345678 yields CVE-2021-1234567.
export const CVE = /CVE-\p{Nd}{4}-\p{Nd}{4,7}/gu;
export const MD5 = bounded("[a-fA-F0-9]{32}");
export const SHA1 = bounded("[a-fA-F0-9]{40}");
export const SHA256 = bounded("[a-fA-F0-9]{64}");
export const SHA512 = bounded("[a-fA-F0-9]{128}");
