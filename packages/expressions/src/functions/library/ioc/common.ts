// Shared parts of the IOC extractors: defanging, first-seen de-duplication, Unicode \b.
import type { ExprValue } from "../../function-definition.js";
import { expectString } from "../args.js";

/** Python's \w for str patterns, as a character class body. */
export const WORD = "\\p{L}\\p{N}_";

/** Applies literal replacements in order (Python str.replace chained with functools.reduce). */
export function defang(text: string, replacements: readonly (readonly [string, string])[]): string {
  let out = text;
  for (const [from, to] of replacements) out = out.split(from).join(to);
  return out;
}

/** Distinct values in first-seen order (Tracecat returns set order; any order is faithful). */
export function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

export function textArg(fn: string, args: readonly ExprValue[]): string {
  return expectString(fn, "text", args[0]);
}

/** All non-overlapping matches of a global JS regex. */
export function findAll(re: RegExp, text: string): string[] {
  return [...text.matchAll(re)].map((m) => m[0]);
}
