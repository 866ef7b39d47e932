// Regex group (reference §2.4, §3.7). Patterns are Python `re` syntax, translated to RE2 and run
// on re2js, whose matching time is linear in the input: no pattern or text can hang a run.
// Python-only constructs RE2 cannot express are reported by name.
import { RE2JS } from "re2js";
import { type FunctionDefinition, FunctionError } from "../function-definition.js";
import { expectString, param } from "./args.js";
import { MAX_PATTERN_LENGTH } from "./limits.js";

const GROUP = "Regex";

// Python's \s for str patterns (str.isspace()).
const SPACE_CLASS =
  "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}";
const WORD_CLASS = "\\p{L}\\p{N}_";

function unsupported(feature: string): FunctionError {
  return new FunctionError(
    `parameter 'pattern' uses ${feature}, Python regex syntax that the linear-time engine (RE2) does not support; rewrite the pattern without it`,
    "value_error",
  );
}

export interface TranslatedPattern {
  readonly source: string;
  /** True when `$` can end the match (outside multiline mode): Python also allows it before a final newline. */
  readonly dollarAtEnd: boolean;
}

/** Translates Python `re` syntax to RE2 syntax, or throws a FunctionError naming what RE2 lacks. */
export function translatePattern(pattern: string): TranslatedPattern {
  let out = "";
  let inClass = false;
  let classStart = -1;
  let ascii = false;
  let multiline = false;
  let dollar = false;
  let i = 0;
  // Global inline flags at the very start, e.g. (?i) or (?ax).
  const flags = /^\(\?([aiLmsux]+)\)/.exec(pattern);
  if (flags) {
    const f = flags[1] as string;
    if (f.includes("x")) throw unsupported("verbose mode (?x)");
    if (f.includes("L")) throw unsupported("the locale flag (?L)");
    ascii = f.includes("a");
    multiline = f.includes("m");
    const kept = f.replace(/[aux]/g, "");
    if (kept) out += `(?${kept})`;
    i = flags[0].length;
  }
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "\\") {
      const n = pattern[i + 1];
      if (n === undefined) throw new FunctionError("parameter 'pattern' ends with a lone backslash", "value_error");
      i += 2;
      if (n >= "1" && n <= "9") throw unsupported("a backreference (\\1 … \\9)");
      switch (n) {
        case "d":
          out += ascii ? "[0-9]" : "\\p{Nd}";
          continue;
        case "D":
          out += ascii ? "[^0-9]" : "\\P{Nd}";
          continue;
        case "w":
          out += ascii ? "\\w" : inClass ? WORD_CLASS : `[${WORD_CLASS}]`;
          continue;
        case "W":
          out += ascii || inClass ? "\\W" : `[^${WORD_CLASS}]`;
          continue;
        case "s":
          out += ascii ? "\\s" : inClass ? SPACE_CLASS : `[${SPACE_CLASS}]`;
          continue;
        case "S":
          out += ascii || inClass ? "\\S" : `[^${SPACE_CLASS}]`;
          continue;
        case "Z":
          out += "\\z";
          continue;
        case "0":
          out += "\\x00";
          continue;
        case "u": {
          const hex = pattern.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex))
            throw new FunctionError("parameter 'pattern' has a bad \\u escape", "value_error");
          out += `\\x{${hex}}`;
          i += 4;
          continue;
        }
        case "U": {
          const hex = pattern.slice(i, i + 8);
          if (!/^[0-9a-fA-F]{8}$/.test(hex))
            throw new FunctionError("parameter 'pattern' has a bad \\U escape", "value_error");
          out += `\\x{${hex}}`;
          i += 8;
          continue;
        }
        case "N":
          throw unsupported("a named character escape (\\N{…})");
        default:
          out += `\\${n}`;
          continue;
      }
    }
    if (inClass) {
      if (c === "]" && i !== classStart) inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
      i++;
      if (pattern[i] === "^") {
        out += "^";
        i++;
      }
      classStart = i;
      continue;
    }
    if (c === "(" && pattern[i + 1] === "?") {
      const rest = pattern.slice(i + 2);
      if (rest.startsWith("=") || rest.startsWith("!")) throw unsupported("a lookahead (?=…) or (?!…)");
      if (rest.startsWith("<=") || rest.startsWith("<!")) throw unsupported("a lookbehind (?<=…) or (?<!…)");
      if (rest.startsWith(">")) throw unsupported("an atomic group (?>…)");
      if (rest.startsWith("(")) throw unsupported("a conditional group (?(…)…)");
      if (rest.startsWith("P=")) throw unsupported("a named backreference (?P=name)");
      if (rest.startsWith("#")) {
        const end = pattern.indexOf(")", i);
        if (end < 0) throw new FunctionError("parameter 'pattern' has an unterminated comment", "value_error");
        i = end + 1;
        continue;
      }
      const scoped = /^([aimsux]*)(?:-([imsx]+))?[:)]/.exec(rest);
      if (scoped && (scoped[1] || scoped[2])) {
        const on = scoped[1] ?? "";
        if (on.includes("x") || (scoped[2] ?? "").includes("x")) throw unsupported("verbose mode (?x)");
        if (rest[scoped[0].length - 1] === ")") {
          throw new FunctionError(
            "parameter 'pattern' has global flags not at the start of the expression",
            "value_error",
          );
        }
        const kept = on.replace(/[au]/g, "");
        out += `(?${kept}${scoped[2] ? `-${scoped[2]}` : ""}:`;
        i += 2 + scoped[0].length;
        continue;
      }
    }
    if (pattern[i + 1] === "+" && (c === "*" || c === "+" || c === "?" || (c === "}" && /\{\d*(?:,\d*)?$/.test(out)))) {
      throw unsupported("a possessive quantifier (*+, ++, ?+, {m,n}+)");
    }
    if (c === "{") {
      const m = /^\{,(\d+)\}/.exec(pattern.slice(i));
      if (m) {
        out += `{0,${m[1]}}`;
        i += m[0].length;
        continue;
      }
    }
    if (c === "$") dollar = true;
    out += c;
    i++;
  }
  return { source: out, dollarAtEnd: dollar && !multiline };
}

interface Compiled {
  readonly re: RE2JS;
  readonly dollarAtEnd: boolean;
}

const cache = new Map<string, Compiled>();

function compile(pattern: string): Compiled {
  const hit = cache.get(pattern);
  if (hit) return hit;
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new FunctionError(`parameter 'pattern' is longer than ${MAX_PATTERN_LENGTH} characters`, "limit_exceeded");
  }
  const translated = translatePattern(pattern);
  let re: RE2JS;
  try {
    re = RE2JS.compile(translated.source);
  } catch (error) {
    const description = (error as { error?: unknown }).error;
    const reason =
      typeof description !== "string"
        ? ""
        : /nested repetition/.test(description)
          ? " (multiple repeat)"
          : ` (${description})`;
    throw new FunctionError(`parameter 'pattern' is not a valid regular expression${reason}`, "value_error");
  }
  const compiled = { re, dollarAtEnd: translated.dollarAtEnd };
  if (cache.size >= 256) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, compiled);
  return compiled;
}

/** Python re.match: anchored at the start only; `$` may also match before a final newline. */
export function pyReMatch(pattern: string, text: string): boolean {
  const { re, dollarAtEnd } = compile(pattern);
  if (re.matcher(text).lookingAt()) return true;
  return dollarAtEnd && text.endsWith("\n") && re.matcher(text.slice(0, -1)).lookingAt();
}

/** Python re.search, returning the first participating group (or the whole match). */
export function pyReExtract(pattern: string, text: string): string | null {
  const { re, dollarAtEnd } = compile(pattern);
  const pick = (input: string): string | null | undefined => {
    const m = re.matcher(input);
    if (!m.find()) return undefined;
    for (let g = 1; g <= m.groupCount(); g++) if (m.start(g) !== -1) return m.group(g);
    return m.group(0);
  };
  const found = pick(text);
  if (found !== undefined) return found;
  if (dollarAtEnd && text.endsWith("\n")) return pick(text.slice(0, -1)) ?? null;
  return null;
}

/**
 * Python re.sub(pattern, repl, text): every non-overlapping match replaced; `repl` may use
 * `\\1`, `\\g<1>`, `\\g<name>` and the escapes `\\n`, `\\t`, `\\\\`.
 */
export function pySub(pattern: string, repl: string, text: string): string {
  const { re } = compile(pattern);
  const m = re.matcher(text);
  let out = "";
  let last = 0;
  let guard = 0;
  while (m.find()) {
    if (++guard > 100_000) throw new FunctionError("sub() made too many replacements", "limit_exceeded");
    out += text.slice(last, m.start());
    out += expandTemplate(repl, (g) => {
      if (typeof g === "number" && g > m.groupCount())
        throw new FunctionError(`invalid group reference ${g}`, "value_error");
      const v = m.group(g as never);
      return v ?? "";
    });
    last = m.end();
  }
  return out + text.slice(last);
}

function expandTemplate(repl: string, group: (g: number | string) => string): string {
  let out = "";
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i] as string;
    if (c !== "\\" || i + 1 >= repl.length) {
      out += c;
      continue;
    }
    const n = repl[i + 1] as string;
    const digits = /^\d{1,2}/.exec(repl.slice(i + 1));
    if (digits) {
      out += group(Number(digits[0]));
      i += digits[0].length;
    } else if (n === "g") {
      const m = /^g<([^>]+)>/.exec(repl.slice(i + 1));
      if (!m) throw new FunctionError("missing group name in the replacement", "value_error");
      const name = m[1] as string;
      out += group(/^\d+$/.test(name) ? Number(name) : name);
      i += m[0].length;
    } else {
      const esc: Record<string, string> = {
        n: "\n",
        t: "\t",
        r: "\r",
        "\\": "\\",
        f: "\f",
        v: "\v",
        a: "\x07",
        b: "\b",
      };
      out += esc[n] ?? `\\${n}`;
      i++;
    }
  }
  return out;
}

export const regexFunctions: FunctionDefinition[] = [
  {
    name: "regex_extract",
    group: GROUP,
    description: "The first match of a Python regex in the text (its first matching group if it has groups), or None.",
    params: [param("pattern", "str"), param("text", "str")],
    returns: "str | None",
    call: (args) =>
      pyReExtract(expectString("regex_extract", "pattern", args[0]), expectString("regex_extract", "text", args[1])),
  },
  {
    name: "regex_match",
    group: GROUP,
    description: "True if the Python regex matches at the start of the text (re.match).",
    params: [param("pattern", "str"), param("text", "str")],
    returns: "bool",
    call: (args) =>
      pyReMatch(expectString("regex_match", "pattern", args[0]), expectString("regex_match", "text", args[1])),
  },
  {
    name: "regex_not_match",
    group: GROUP,
    description: "True if the Python regex does not match at the start of the text.",
    params: [param("pattern", "str"), param("text", "str")],
    returns: "bool",
    call: (args) =>
      !pyReMatch(expectString("regex_not_match", "pattern", args[0]), expectString("regex_not_match", "text", args[1])),
  },
];
