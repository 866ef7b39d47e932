// Domain extraction (reference §2.18 extract_domains). Tracecat's pattern uses atomic groups;
// this scanner reproduces their effect: each "label." is taken greedily and never re-split, the
// label run may give back whole labels until a TLD fits, and once the domain is chosen it is
// kept or dropped whole by the boundary check. Memoised so the scan stays linear.

import { tick } from "../../../limits/budget.js";

const isAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const WORD_CHAR = /[\p{L}\p{N}_]/u;

function isWordAt(text: string, index: number): boolean {
  if (index < 0 || index >= text.length) return false;
  const cp = text.codePointAt(index) ?? 0;
  // A low surrogate: look at the whole code point that ends here.
  if (cp >= 0xdc00 && cp <= 0xdfff && index > 0) return WORD_CHAR.test(text.slice(index - 1, index + 1));
  return WORD_CHAR.test(String.fromCodePoint(cp));
}

function startsXn(text: string, i: number): boolean {
  return text.startsWith("xn--", i);
}

/** End of `label.` starting at i (after the dot), or -1. */
function labelDot(text: string, i: number): number {
  if (startsXn(text, i)) {
    let j = i + 4;
    while (j < text.length && isAlnum(text.charCodeAt(j))) j++;
    if (j > i + 4 && text[j] === ".") return j + 1;
  }
  if (i >= text.length || !isAlnum(text.charCodeAt(i))) return -1;
  // [a-zA-Z0-9] then an optional atomic ([a-zA-Z0-9-]{0,61}[a-zA-Z0-9]).
  let j = i + 1;
  let lastAlnum = -1;
  while (j < text.length && j - (i + 1) < 62) {
    const c = text.charCodeAt(j);
    if (isAlnum(c)) lastAlnum = j;
    else if (c !== 45) break;
    j++;
  }
  const end = lastAlnum >= 0 ? lastAlnum + 1 : i + 1;
  if (text[end] === ".") return end + 1;
  // The optional group may be skipped: a one-character label.
  return end !== i + 1 && text[i + 1] === "." ? i + 2 : -1;
}

/** End of a TLD at i (`xn--[a-zA-Z0-9-]+` or `[a-zA-Z]{2,}`), or -1. */
function tld(text: string, i: number): number {
  if (startsXn(text, i)) {
    let j = i + 4;
    while (j < text.length && (isAlnum(text.charCodeAt(j)) || text.charCodeAt(j) === 45)) j++;
    if (j > i + 4) return j;
  }
  let j = i;
  while (j < text.length && isAlpha(text.charCodeAt(j))) j++;
  return j - i >= 2 ? j : -1;
}

const BEFORE = new Set([":", "/", "+"]);
const AFTER = new Set([":", "/", "+", "@"]);

/** Every candidate domain in the text, left to right, non-overlapping. */
export function scanDomains(text: string): string[] {
  const next = new Map<number, number>();
  const nextOf = (i: number) => {
    let n = next.get(i);
    if (n === undefined) {
      n = labelDot(text, i);
      next.set(i, n);
    }
    return n;
  };
  // Furthest node of the label chain from i (inclusive) where a TLD fits, searching from the end.
  const lastTld = new Map<number, number>();
  const furthestTld = (start: number): number => {
    const chain: number[] = [];
    let node = start;
    while (node >= 0 && !lastTld.has(node)) {
      chain.push(node);
      node = nextOf(node);
    }
    let found = node >= 0 ? (lastTld.get(node) as number) : -1;
    for (let k = chain.length - 1; k >= 0; k--) {
      const here = chain[k] as number;
      if (found < 0 && tld(text, here) >= 0) found = here;
      lastTld.set(here, found);
    }
    return found;
  };
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    tick();
    const c = text.charCodeAt(i);
    if (!isAlnum(c) || BEFORE.has(text[i - 1] ?? "") || isWordAt(text, i - 1)) {
      i++;
      continue;
    }
    const first = nextOf(i);
    const at = first >= 0 ? furthestTld(first) : -1;
    if (at < 0) {
      i++;
      continue;
    }
    let end = tld(text, at);
    for (;;) {
      if (text[end] !== ".") break;
      const more = tld(text, end + 1);
      if (more < 0) break;
      end = more;
    }
    const following = text[end] ?? "";
    if (AFTER.has(following) || isWordAt(text, end)) {
      i++;
      continue;
    }
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/** pydantic-extra-types DomainStr: ≤253 chars, LDH labels of 1-63, a 2-63 letter or xn-- TLD. */
export function isDomain(candidate: string): boolean {
  const domain = candidate.trim().toLowerCase();
  if (domain.length < 1 || domain.length > 253) return false;
  const labels = domain.split(".");
  if (labels.length < 2) return false;
  const top = labels[labels.length - 1] as string;
  if (!/^(?:[a-z]{2,63}|xn--[a-z0-9]{2,59})$/.test(top)) return false;
  return labels.slice(0, -1).every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l));
}
