// Python string primitives the library shares: whitespace, title case, code-point slicing, safe
// dict construction.

import type { ExprDict } from "../../values/types.js";
import type { ExprValue } from "../function-definition.js";

/** Characters Python's str.isspace() accepts (what strip()/split() with no argument remove). */
export const PY_WHITESPACE =
  "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

const PY_WHITESPACE_SET = new Set(PY_WHITESPACE);

export function isPyWhitespace(ch: string): boolean {
  return PY_WHITESPACE_SET.has(ch);
}

// Characters whose title case is not their upper case (or not its first letter + lower rest).
const TITLE_EXCEPTIONS: Record<string, string> = {
  Ǆ: "ǅ",
  ǅ: "ǅ",
  ǆ: "ǅ",
  Ǉ: "ǈ",
  ǈ: "ǈ",
  ǉ: "ǈ",
  Ǌ: "ǋ",
  ǋ: "ǋ",
  ǌ: "ǋ",
  Ǳ: "ǲ",
  ǲ: "ǲ",
  ǳ: "ǲ",
  ŉ: "ʼN",
  ᾳ: "ᾼ",
  ᾼ: "ᾼ",
  ῃ: "ῌ",
  ῌ: "ῌ",
  ῳ: "ῼ",
  ῼ: "ῼ",
  ᾲ: "\u1fba\u0345",
  ᾴ: "\u0386\u0345",
  ᾷ: "\u0391\u0342\u0345",
  ῂ: "\u1fca\u0345",
  ῄ: "\u0389\u0345",
  ῇ: "\u0397\u0342\u0345",
  ῲ: "\u1ffa\u0345",
  ῴ: "\u038f\u0345",
  ῷ: "\u03a9\u0342\u0345",
};

// Greek letters with ypogegrammeni: the title case is the precomposed prosgegrammeni form.
for (const start of [0x1f80, 0x1f90, 0x1fa0]) {
  for (let i = 0; i < 8; i++) {
    const title = String.fromCodePoint(start + 8 + i);
    TITLE_EXCEPTIONS[String.fromCodePoint(start + i)] = title;
    TITLE_EXCEPTIONS[title] = title;
  }
}

/** Python's title case of one character (`ß` → `Ss`, `ǆ` → `ǅ`). */
export function titleChar(ch: string): string {
  const special = TITLE_EXCEPTIONS[ch];
  if (special) return special;
  const upper = ch.toUpperCase();
  const chars = [...upper];
  if (chars.length <= 1) return upper;
  return (chars[0] as string) + chars.slice(1).join("").toLowerCase();
}

// Python's "cased": Lowercase or Uppercase (including Other_Lowercase such as U+0345) or Lt.
const CASED = /[\p{Lowercase}\p{Uppercase}\p{Lt}]/u;

export function isCased(ch: string): boolean {
  return CASED.test(ch);
}

const CASE_IGNORABLE = /\p{Case_Ignorable}/u;

/** Lower case of chars[i] in context: capital sigma becomes final sigma at the end of a word. */
function lowerAt(chars: readonly string[], i: number): string {
  const ch = chars[i] as string;
  if (ch !== "\u03a3") return ch.toLowerCase();
  let j = i - 1;
  while (j >= 0 && CASE_IGNORABLE.test(chars[j] as string)) j--;
  let final = j >= 0 && isCased(chars[j] as string);
  if (final) {
    let k = i + 1;
    while (k < chars.length && CASE_IGNORABLE.test(chars[k] as string)) k++;
    final = k === chars.length || !isCased(chars[k] as string);
  }
  return final ? "\u03c2" : "\u03c3";
}

/** Python str.capitalize(): first character title-cased, the rest lower-cased. */
export function pyCapitalize(s: string): string {
  const chars = [...s];
  if (chars.length === 0) return "";
  let out = titleChar(chars[0] as string);
  for (let i = 1; i < chars.length; i++) out += lowerAt(chars, i);
  return out;
}

/** Python str.title(): a cased character after an uncased one starts a word. */
export function pyTitle(s: string): string {
  const chars = [...s];
  let out = "";
  let previousCased = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (isCased(ch)) {
      out += previousCased ? lowerAt(chars, i) : titleChar(ch);
      previousCased = true;
    } else {
      out += ch;
      previousCased = false;
    }
  }
  return out;
}

/** Python str.strip(chars): removes characters of the set from both ends (code points). */
export function pyStrip(s: string, chars: string | null): string {
  const set = chars === null ? PY_WHITESPACE_SET : new Set(chars);
  const cps = [...s];
  let start = 0;
  let end = cps.length;
  while (start < end && set.has(cps[start] as string)) start++;
  while (end > start && set.has(cps[end - 1] as string)) end--;
  return cps.slice(start, end).join("");
}

/** Python str.split() with no separator: runs of whitespace, ends ignored. */
export function pyWhitespaceSplit(s: string): string[] {
  const out: string[] = [];
  let current = "";
  for (const ch of s) {
    if (PY_WHITESPACE_SET.has(ch)) {
      if (current) out.push(current);
      current = "";
    } else current += ch;
  }
  if (current) out.push(current);
  return out;
}

/** Python str.splitlines(): \n, \r\n, \r, \v, \f, \x1c-\x1e, \x85, U+2028, U+2029; no trailing empty line. */
export function pySplitLines(s: string): string[] {
  const lines = s.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Python slice bounds [start:end] clamped for a sequence of `length`. */
export function sliceBounds(start: number, end: number, length: number): [number, number] {
  const norm = (i: number) => (i < 0 ? Math.max(0, i + length) : Math.min(i, length));
  const s = norm(start);
  const e = norm(end);
  return [s, Math.max(s, e)];
}

/** Sets a key on a dict as an own property, even `__proto__`. */
export function setKey(dict: ExprDict, key: string, value: ExprValue): void {
  if (key === "__proto__") {
    Object.defineProperty(dict, key, { value, enumerable: true, writable: true, configurable: true });
  } else dict[key] = value;
}
