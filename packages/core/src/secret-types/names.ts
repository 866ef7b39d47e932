/**
 * Validation of secret, key and environment names.
 *
 * Names are metadata, not secrets: error messages show the offending name (quoted, control
 * characters escaped, cut at a readable length) so the user sees exactly what to fix.
 * The patterns make every stored secret reachable from `${{ SECRETS.<name>.<KEY> }}`.
 */
import {
  ENVIRONMENT_NAME_PATTERN,
  KEY_NAME_PATTERN,
  RESERVED_NAME,
  SECRET_NAME_PATTERN,
} from "@coffer/sdk/secret-types";
import { CofferError, type ErrorCode } from "../errors/coffer-error.js";

export { ENVIRONMENT_NAME_PATTERN, KEY_NAME_PATTERN, SECRET_NAME_PATTERN } from "@coffer/sdk/secret-types";

/** Longest name shown in a message; longer names are cut with an ellipsis. */
const DISPLAY_LIMIT = 100;

/** Quote a name for a message: single quotes, control and non-ASCII-space characters escaped, cut if long. */
export function quoteName(name: string): string {
  const chars = Array.from(name);
  const shown = chars.length > DISPLAY_LIMIT ? `${chars.slice(0, DISPLAY_LIMIT).join("")}…` : name;
  const escaped = shown.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029'\\]/g, (c) => {
    if (c === "'") return "\\'";
    if (c === "\\") return "\\\\";
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
  return `'${escaped}'`;
}

/** The name as kept in error details: cut at 200 characters. */
function detailName(name: string): string {
  const chars = Array.from(name);
  return chars.length > 200 ? `${chars.slice(0, 200).join("")}…` : name;
}

interface NameRule {
  /** "Secret name", "Key name", "Environment" */
  label: string;
  code: ErrorCode;
  pattern: RegExp;
  maxLength: number;
  /** Characters allowed anywhere, as a character class body. */
  allowed: RegExp;
  /** Allowed as first character. */
  allowedFirst: RegExp;
  /** Human description of the rule, ending without a period. */
  rule: string;
  /** Turns an invalid name into a valid suggestion ("" when none can be made). */
  suggest: (name: string) => string;
  /** Describes what is wrong with the first character. */
  badFirst: string;
}

function describeProblems(name: string, rule: NameRule): string[] {
  const problems: string[] = [];
  const length = Array.from(name).length;
  if (length === 0) return ["it is empty"];
  if (length > rule.maxLength) {
    problems.push(`it is ${length} characters long (the limit is ${rule.maxLength})`);
  }
  const bad = new Set<string>();
  let hasUpper = false;
  for (const c of name) {
    if (rule.allowed.test(c)) continue;
    if (/[A-Z]/.test(c)) {
      hasUpper = true;
      continue;
    }
    bad.add(c);
  }
  const contained: string[] = hasUpper ? ["uppercase letters"] : [];
  contained.push(...[...bad].slice(0, 5).map((c) => (c === " " ? "spaces" : quoteName(c))));
  if (bad.size > 5) contained.push(`${bad.size - 5} more characters that are not allowed`);
  if (contained.length > 0) problems.push(`it contains ${joinAnd(contained)}`);
  const first = Array.from(name)[0] ?? "";
  if (rule.allowed.test(first) && !rule.allowedFirst.test(first)) problems.push(rule.badFirst);
  return problems;
}

function joinAnd(items: string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function joinProblems(problems: string[]): string {
  return problems.length === 0 ? "it does not match the rule" : joinAnd(problems);
}

function validateName(name: unknown, rule: NameRule): string {
  if (typeof name !== "string") {
    throw new CofferError(rule.code, `${rule.label} must be a string: ${rule.rule}.`, {
      status: 422,
      details: { rule: rule.pattern.source },
    });
  }
  if (name === RESERVED_NAME) {
    throw new CofferError(
      rule.code,
      `${rule.label} '__proto__' is reserved: it cannot be used as a name. Pick another name.`,
      { status: 422, details: { name, rule: rule.pattern.source } },
    );
  }
  if (rule.pattern.test(name)) return name;
  const problems = describeProblems(name, rule);
  const suggestion = rule.suggest(name);
  const example = suggestion !== "" && rule.pattern.test(suggestion) ? ` (e.g. ${quoteName(suggestion)})` : "";
  const subject = name === "" ? `${rule.label} is invalid` : `${rule.label} ${quoteName(name)} is invalid`;
  const message = `${subject}: ${joinProblems(problems)}. Use ${rule.rule}${example}.`;
  const details: Record<string, unknown> = { name: detailName(name), rule: rule.pattern.source };
  if (example !== "") details.suggestion = suggestion;
  throw new CofferError(rule.code, message, { status: 422, details });
}

function cut(s: string, max: number): string {
  return s.length > max ? s.slice(0, max).replace(/_+$/, "") : s;
}

const SECRET_NAME_RULE: NameRule = {
  label: "Secret name",
  code: "invalid_secret_name",
  pattern: SECRET_NAME_PATTERN,
  maxLength: 100,
  allowed: /^[a-z0-9_]$/,
  allowedFirst: /^[a-z_]$/,
  rule: "lowercase letters, digits and underscores, starting with a letter or underscore, at most 100 characters",
  badFirst: "it starts with a digit",
  suggest: (name) => {
    let s = name
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, "_")
      .replace(/^_+(?=[a-z0-9])|_+$/g, "");
    if (/^[0-9]/.test(s)) s = `_${s}`;
    return cut(s, 100);
  },
};

const KEY_NAME_RULE: NameRule = {
  label: "Key name",
  code: "invalid_key_name",
  pattern: KEY_NAME_PATTERN,
  maxLength: 128,
  allowed: /^[A-Za-z0-9_]$/,
  allowedFirst: /^[A-Za-z_]$/,
  rule: "letters, digits and underscores, starting with a letter or underscore, at most 128 characters",
  badFirst: "it starts with a digit",
  suggest: (name) => {
    let s = name.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+(?=[A-Za-z0-9])|_+$/g, "");
    if (/^[0-9]/.test(s)) s = `_${s}`;
    return cut(s, 128);
  },
};

const ENVIRONMENT_RULE: NameRule = {
  label: "Environment",
  code: "invalid_environment",
  pattern: ENVIRONMENT_NAME_PATTERN,
  maxLength: 64,
  allowed: /^[a-z0-9_-]$/,
  allowedFirst: /^[a-z0-9]$/,
  rule: "lowercase letters, digits, '_' and '-', starting with a letter or digit, at most 64 characters",
  badFirst: "it starts with '_' or '-'",
  suggest: (name) => {
    const s = name
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, "_")
      .replace(/^[_-]+|[_-]+$/g, "");
    return s.length > 64 ? s.slice(0, 64).replace(/[_-]+$/, "") : s;
  },
};

/**
 * Throws `invalid_secret_name` (422) unless `name` matches `^[a-z_][a-z0-9_]{0,99}$`; returns it.
 * `label` names what is named in the message (variables share the rule: "Variable name").
 */
export function validateSecretName(name: string, label = "Secret name"): string {
  return validateName(name, label === SECRET_NAME_RULE.label ? SECRET_NAME_RULE : { ...SECRET_NAME_RULE, label });
}

/** Throws `invalid_key_name` (422) unless `name` matches `^[A-Za-z_][A-Za-z0-9_]{0,127}$`; returns it. */
export function validateKeyName(name: string): string {
  return validateName(name, KEY_NAME_RULE);
}

/** Throws `invalid_environment` (422) unless `name` matches `^[a-z0-9][a-z0-9_-]{0,63}$`; returns it. */
export function validateEnvironmentName(name: string): string {
  return validateName(name, ENVIRONMENT_RULE);
}
