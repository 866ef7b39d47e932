// E-mail extraction (reference §2.18 extract_emails): candidates by pattern, then the syntax
// rules of email-validator 2.2 (no DNS), then optional normalisation.
import { domainToUnicode } from "node:url";
import { RE2JS } from "re2js";
import { FunctionError } from "../../function-definition.js";

const CANDIDATE = RE2JS.compile("[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}");
const SPECIAL_USE = ["arpa", "invalid", "local", "localhost", "onion", "test"];

export function scanEmails(text: string): string[] {
  const m = CANDIDATE.matcher(text);
  const out: string[] = [];
  let from = 0;
  while (from <= text.length && m.find(from)) {
    out.push(m.group(0) as string);
    from = m.end(0);
  }
  return out;
}

export function isEmail(candidate: string): boolean {
  if (candidate.length > 254) return false;
  const at = candidate.lastIndexOf("@");
  const local = candidate.slice(0, at);
  const domain = candidate.slice(at + 1).toLowerCase();
  if (local.length === 0 || local.length > 64) return false;
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return false;
  if (!/^[a-zA-Z0-9!#$%&'*+/=?^_`{|}~.-]+$/.test(local)) return false;
  if (domain.length > 253 || !domain.includes(".")) return false;
  const labels = domain.split(".");
  for (const label of labels) {
    if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) return false;
    if (label.slice(2, 4) === "--" && !label.startsWith("xn")) return false;
  }
  if (/^\d+$/.test(labels[labels.length - 1] as string)) return false;
  // An xn-- label must be valid punycode (email-validator decodes it with IDNA).
  if (labels.some((l) => l.startsWith("xn--")) && domainToUnicode(domain) === "") return false;
  return !SPECIAL_USE.some((name) => domain === name || domain.endsWith(`.${name}`));
}

/** Lower-cases the address and drops a `+tag` from the local part. */
export function normalizeEmail(email: string): string {
  const parts = email.toLowerCase().split("@");
  if (parts.length !== 2) {
    throw new FunctionError("parameter 'email' must contain exactly one '@'", "value_error");
  }
  const [local = "", domain = ""] = parts;
  return `${local.split("+")[0]}@${domain}`;
}
