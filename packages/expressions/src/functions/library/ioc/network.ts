// IPv4, IPv6 and MAC extraction (reference §2.18). IPv6 candidates are runs of hex digits,
// colons and dots, checked against the boundaries of Tracecat's pattern and then parsed.
import { parseIpv4, parseIpv6 } from "../ip.js";
import { WORD } from "./common.js";

const IPV4 = new RegExp(`(?<![${WORD}])(?:[0-9]{1,3}\\.){3}[0-9]{1,3}(?![${WORD}])`, "gu");
const WORD_CHAR = new RegExp(`[${WORD}]`, "u");

export function scanIpv4(text: string): string[] {
  return [...text.matchAll(IPV4)].map((m) => m[0]).filter((ip) => parseIpv4(ip) !== undefined);
}

export const IPV4_DEFANGS: readonly (readonly [string, string])[] = [
  ["[.]", "."],
  ["(.)", "."],
  ["\\.", "."],
  ["[dot]", "."],
  [" dot ", "."],
];

export const IPV6_DEFANGS: readonly (readonly [string, string])[] = [
  ["[:]", ":"],
  ["(:)", ":"],
  ["\\:", ":"],
  ["(colon)", ":"],
  ["[colon]", ":"],
  [" colon colon ", "::"],
  [" colon ", ":"],
  ["(dot)", "."],
  ["[dot]", "."],
  [" dot ", "."],
  [" period ", "."],
  ["[::]", "::"],
  ["(::)", "::"],
  ["\\::", "::"],
  ["\\[", "["],
  ["\\]", "]"],
  ["https://[", "["],
  ["http://[", "["],
  ["ftp://[", "["],
  // Tracecat lists these two as if they were patterns; they are replaced literally.
  ["]:[0-9]+", "]"],
  ["] port [0-9]+", "]"],
];

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD_CHAR.test(ch);
}

export function scanIpv6(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*/g)) {
    let candidate = m[0];
    const start = m.index;
    const bracketed = text[start - 1] === "[" && text[start + candidate.length] === "]";
    if (!bracketed) {
      // Trailing punctuation is not part of the address; Tracecat's pattern needs a word
      // boundary on both sides, so `::1` after a space is skipped, as in Tracecat.
      candidate = candidate.replace(/[.:]+$/, "");
      if (candidate === "") continue;
      const previousIsWord = isWordChar(text[start - 1]);
      if (candidate.startsWith(":") ? !previousIsWord : previousIsWord) continue;
      if (isWordChar(text[start + candidate.length])) continue;
    }
    if (parseIpv6(candidate) !== undefined) out.push(candidate);
  }
  return out;
}

const MAC =
  /(?<![0-9A-Fa-f:-])(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5})(?![0-9A-Fa-f:-])/g;

export function scanMacs(text: string): string[] {
  return [...text.matchAll(MAC)].map((m) => m[0].toLowerCase().replace(/-/g, ":"));
}
