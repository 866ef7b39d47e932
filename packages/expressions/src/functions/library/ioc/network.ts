// IPv4, IPv6 and MAC extraction (reference §2.18). IPv6 candidates are runs of hex digits,
// colons and dots, checked against the boundaries of Tracecat's pattern and then parsed.
import { parseIpv4, parseIpv6 } from "../ip.js";
import { WORD } from "./common.js";

const IPV4 = new RegExp(`(?<![${WORD}])(?:[0-9]{1,3}\\.){3}[0-9]{1,3}(?![${WORD}])`, "gu");

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

const H = "[0-9A-Fa-f]{1,4}";
const V4 = "(?:\\d{1,3}\\.){3}\\d{1,3}";
// Python's Unicode \b, written with lookarounds (JavaScript's \b is ASCII-only).
const B = `(?:(?<=[${WORD}])(?![${WORD}])|(?<![${WORD}])(?=[${WORD}]))`;
const IN_BRACKETS_END = "(?=\\](?::\\d+)?)";
// Tracecat's alternatives in its order: full, compressed, 6 hextets + IPv4, compressed + IPv4,
// then the same four directly inside [...] (optionally followed by :port). Every part is bounded,
// so matching stays linear in the text.
const IPV6 = new RegExp(
  [
    `${B}(?:${H}:){7}${H}${B}`,
    `${B}(?:${H}:){0,6}(?:${H})?::(?:${H}:){0,6}${H}?${B}`,
    `${B}(?:${H}:){6}${V4}${B}`,
    `${B}(?:${H}:){0,5}:${V4}${B}`,
    `(?<=\\[)(?:${H}:){7}${H}${IN_BRACKETS_END}`,
    `(?<=\\[)(?:${H}:){0,6}(?:${H})?::(?:${H}:){0,6}${H}?${IN_BRACKETS_END}`,
    `(?<=\\[)(?:${H}:){6}${V4}${IN_BRACKETS_END}`,
    `(?<=\\[)(?:${H}:){0,5}:${V4}${IN_BRACKETS_END}`,
  ].join("|"),
  "gu",
);

export function scanIpv6(text: string): string[] {
  return [...text.matchAll(IPV6)].map((m) => m[0]).filter((ip) => parseIpv6(ip) !== undefined);
}

const MAC =
  /(?<![\p{Nd}A-Fa-f:-])(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5})(?![\p{Nd}A-Fa-f:-])/gu;
/(?<![0-9A-Fa-f:-])(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5})(?![0-9A-Fa-f:-])/g;

export function scanMacs(text: string): string[] {
  return [...text.matchAll(MAC)].map((m) => m[0].toLowerCase().replace(/-/g, ":"));
}
