/**
 * PEM text handling: normalisation of structured values and a linear, line-based split into
 * blocks. Nothing here ever copies value text into an error; callers describe problems by
 * key name and block position only.
 */

/** CRLF and lone CR → LF, leading/trailing whitespace trimmed, exactly one trailing newline ("" stays ""). */
export function normalizePem(value: string): string {
  const trimmed = value.replace(/\r\n?/g, "\n").trim();
  return trimmed === "" ? "" : `${trimmed}\n`;
}

export interface PemBlock {
  /** The label between `BEGIN ` and the dashes, e.g. `PRIVATE KEY`. Never shown to users. */
  label: string;
  /** The whole block, BEGIN line to END line, LF line endings, no trailing newline. */
  text: string;
  /** True when the block has RFC 1421 headers saying it is encrypted (`Proc-Type: 4,ENCRYPTED`). */
  procTypeEncrypted: boolean;
}

export type PemSplit =
  | {
      ok: true;
      blocks: PemBlock[];
      /** True when there is non-blank text outside the blocks. */
      hasOutsideText: boolean;
      /** True when there is non-blank text after the last block. */
      hasTrailingText: boolean;
    }
  | {
      ok: false;
      /** `unterminated`: a BEGIN line without its END line; `unexpected_end`: an END line without a BEGIN. */
      reason: "unterminated" | "unexpected_end";
      /** 1-based number of the block concerned. */
      blockNumber: number;
    };

const BEGIN = /^-----BEGIN ([A-Z0-9][A-Z0-9 ]*)-----\s*$/;
const END = /^-----END ([A-Z0-9][A-Z0-9 ]*)-----\s*$/;

/** Splits a normalised (LF) value into PEM blocks. Linear in the size of the input. */
export function splitPem(value: string): PemSplit {
  const lines = value.split("\n");
  const blocks: PemBlock[] = [];
  let hasOutsideText = false;
  let hasTrailingText = false;
  let current: { label: string; lines: string[] } | null = null;
  for (const line of lines) {
    if (current === null) {
      const begin = BEGIN.exec(line);
      if (begin) {
        current = { label: begin[1] ?? "", lines: [line.trimEnd()] };
        hasTrailingText = false;
      } else if (END.test(line)) {
        return { ok: false, reason: "unexpected_end", blockNumber: blocks.length + 1 };
      } else if (line.trim() !== "") {
        hasOutsideText = true;
        if (blocks.length > 0) hasTrailingText = true;
      }
      continue;
    }
    const end = END.exec(line);
    if (end) {
      if (end[1] !== current.label) return { ok: false, reason: "unterminated", blockNumber: blocks.length + 1 };
      current.lines.push(line.trimEnd());
      const headerLines = current.lines.slice(1, -1);
      blocks.push({
        label: current.label,
        text: current.lines.join("\n"),
        procTypeEncrypted: headerLines.some((l) => /^Proc-Type:\s*4\s*,\s*ENCRYPTED\b/i.test(l)),
      });
      current = null;
      continue;
    }
    if (BEGIN.test(line)) return { ok: false, reason: "unterminated", blockNumber: blocks.length + 1 };
    current.lines.push(line);
  }
  if (current !== null) return { ok: false, reason: "unterminated", blockNumber: blocks.length + 1 };
  return { ok: true, blocks, hasOutsideText, hasTrailingText };
}

/** A human description of a PEM label, for messages. Unknown labels are not echoed (they are part of the value). */
export function describePemLabel(label: string): string {
  switch (label) {
    case "CERTIFICATE":
    case "TRUSTED CERTIFICATE":
    case "X509 CERTIFICATE":
      return "a certificate";
    case "PRIVATE KEY":
    case "RSA PRIVATE KEY":
    case "EC PRIVATE KEY":
    case "DSA PRIVATE KEY":
    case "OPENSSH PRIVATE KEY":
      return "a private key";
    case "ENCRYPTED PRIVATE KEY":
      return "an encrypted private key";
    case "PUBLIC KEY":
    case "RSA PUBLIC KEY":
      return "a public key";
    case "CERTIFICATE REQUEST":
    case "NEW CERTIFICATE REQUEST":
      return "a certificate signing request";
    case "X509 CRL":
      return "a certificate revocation list";
    case "EC PARAMETERS":
      return "EC parameters";
    default:
      return "an unrecognised PEM block";
  }
}

export function isPrivateKeyLabel(label: string): boolean {
  return label === "ENCRYPTED PRIVATE KEY" || /^(?:(?:RSA|EC|DSA|OPENSSH) )?PRIVATE KEY$/.test(label);
}
