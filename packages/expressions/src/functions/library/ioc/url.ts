// URL extraction (reference §2.18 extract_urls). Tracecat's pattern ends with a lookbehind
// (no trailing ? & = / # .); here the path is written to end on an allowed character instead,
// which selects the same match, so the pattern runs on RE2 (linear time).
import { RE2JS } from "re2js";

const HOST = "[-a-zA-Z0-9@:%._+~#=\\x{A0}-\\x{FFFF}]{1,256}";
const SEGMENT = "(?:\\.[a-zA-Z0-9()\\x{A0}-\\x{FFFF}]{1,63})+";
const PATH_CHARS = "-a-zA-Z0-9()@:%_+.~#?&/=\\x{A0}-\\x{FFFF}";
const PATH_END = "-a-zA-Z0-9()@:%_+~\\x{A0}-\\x{FFFF}";
const TAIL = `(?::\\d{1,5})?(?:/[${PATH_CHARS}]*[${PATH_END}])?`;

const ALL = RE2JS.compile(`(?:https?|tcp|udp|ftp|sftp|ftps)://(?:www\\.)?${HOST}${SEGMENT}${TAIL}`);
const HTTP = RE2JS.compile(`(?:https?)://(?:www\\.)?${HOST}${SEGMENT}${TAIL}`);

export function scanUrls(text: string, httpOnly: boolean): string[] {
  const m = (httpOnly ? HTTP : ALL).matcher(text);
  const out: string[] = [];
  let from = 0;
  while (from <= text.length && m.find(from)) {
    out.push(m.group(0) as string);
    from = m.end(0) > m.start(0) ? m.end(0) : m.end(0) + 1;
  }
  return out;
}

/** A URL that a WHATWG parser accepts (pydantic AnyUrl / AnyHttpUrl use one). */
export function isUrl(candidate: string, httpOnly: boolean): boolean {
  try {
    const url = new URL(candidate);
    if (httpOnly && url.protocol !== "http:" && url.protocol !== "https:") return false;
    return url.host !== "" || !httpOnly;
  } catch {
    return false;
  }
}

export const URL_DEFANGS: readonly (readonly [string, string])[] = [
  ["[.]", "."],
  ["(.)", "."],
  ["[dot]", "."],
  ["(dot)", "."],
  [" dot ", "."],
  [" colon ", ":"],
  ["hxxp://", "http://"],
  ["hxxps://", "https://"],
  ["xxp://", "http://"],
  ["xxps://", "https://"],
  ["xxxp://", "http://"],
  ["xxxps://", "https://"],
  ["http[:]//", "http://"],
  ["https[:]//", "https://"],
  ["http(:)//", "http://"],
  ["https(:)//", "https://"],
  ["http:[/][/]", "http://"],
  ["https:[/][/]", "https://"],
  ["http:(/)(/)", "http://"],
  ["https:(/)(/)", "https://"],
];
