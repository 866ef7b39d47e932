// IOC extractors group (reference §2.18). Results are distinct, in first-seen order (Tracecat
// returns set order, which its own tests sort away).

import { truthy } from "../../../values/types.js";
import type { ExprValue, FunctionDefinition } from "../../function-definition.js";
import { expectString, optionalArg, param } from "../args.js";
import { defang, findAll, textArg, unique } from "./common.js";
import { isDomain, scanDomains } from "./domain.js";
import { isEmail, normalizeEmail, scanEmails } from "./email.js";
import { IPV4_DEFANGS, IPV6_DEFANGS, scanIpv4, scanIpv6, scanMacs } from "./network.js";
import { ASN, CVE, MD5, SHA1, SHA256, SHA512 } from "./simple.js";
import { isUrl, scanUrls, URL_DEFANGS } from "./url.js";

const GROUP = "IOC extractors";

const DOMAIN_DEFANGS: readonly (readonly [string, string])[] = [
  ["[.]", "."],
  ["(.)", "."],
  ["[dot]", "."],
  ["(dot)", "."],
  [" dot ", "."],
  ["\\.", "."],
];

function flag(args: readonly ExprValue[], index: number): boolean {
  return truthy(optionalArg(args, index) ?? false);
}

function withDefanged(
  text: string,
  include: boolean,
  replacements: readonly (readonly [string, string])[],
  scan: (t: string) => string[],
): string[] {
  const found = scan(text);
  if (include) found.push(...scan(defang(text, replacements)));
  return found;
}

function extractIpv4(args: readonly ExprValue[], fn: string): string[] {
  return unique(withDefanged(textArg(fn, args), flag(args, 1), IPV4_DEFANGS, scanIpv4));
}

function extractIpv6(args: readonly ExprValue[], fn: string): string[] {
  return unique(withDefanged(textArg(fn, args), flag(args, 1), IPV6_DEFANGS, scanIpv6));
}

function pattern(name: string, re: RegExp, what: string): FunctionDefinition {
  return {
    name,
    group: GROUP,
    description: `Distinct ${what} found in the text.`,
    params: [param("text", "str")],
    returns: "list[str]",
    call: (args) => unique(findAll(re, textArg(name, args))),
  };
}

export const iocFunctions: FunctionDefinition[] = [
  pattern("extract_asns", ASN, "autonomous system numbers (AS12345)"),
  pattern("extract_cves", CVE, "CVE identifiers (CVE-2021-34527)"),
  {
    name: "extract_domains",
    group: GROUP,
    description: "Distinct domain names found in the text (not inside URLs); optionally also defanged ones.",
    params: [param("text", "str"), param("include_defanged", "bool", { optional: true })],
    returns: "list[str]",
    call(args) {
      const text = textArg("extract_domains", args);
      return unique(withDefanged(text, flag(args, 1), DOMAIN_DEFANGS, scanDomains).filter(isDomain));
    },
  },
  {
    name: "extract_emails",
    group: GROUP,
    description: "Distinct valid e-mail addresses found in the text; optionally normalised.",
    params: [param("text", "str"), param("normalize", "bool", { optional: true })],
    returns: "list[str]",
    call(args) {
      const found = unique(scanEmails(textArg("extract_emails", args)).filter(isEmail));
      return flag(args, 1) ? unique(found.map(normalizeEmail)) : found;
    },
  },
  pattern("extract_md5", MD5, "MD5 hashes (32 hex digits)"),
  pattern("extract_sha1", SHA1, "SHA-1 hashes (40 hex digits)"),
  pattern("extract_sha256", SHA256, "SHA-256 hashes (64 hex digits)"),
  pattern("extract_sha512", SHA512, "SHA-512 hashes (128 hex digits)"),
  {
    name: "extract_ip",
    group: GROUP,
    description: "Distinct IPv4 then IPv6 addresses found in the text; optionally also defanged ones.",
    params: [param("text", "str"), param("include_defanged", "bool", { optional: true })],
    returns: "list[str]",
    call: (args) => [...extractIpv4(args, "extract_ip"), ...extractIpv6(args, "extract_ip")],
  },
  {
    name: "extract_ipv4",
    group: GROUP,
    description: "Distinct valid IPv4 addresses found in the text; optionally also defanged ones.",
    params: [param("text", "str"), param("include_defanged", "bool", { optional: true })],
    returns: "list[str]",
    call: (args) => extractIpv4(args, "extract_ipv4"),
  },
  {
    name: "extract_ipv6",
    group: GROUP,
    description: "Distinct valid IPv6 addresses found in the text, as written; optionally also defanged ones.",
    params: [param("text", "str"), param("include_defanged", "bool", { optional: true })],
    returns: "list[str]",
    call: (args) => extractIpv6(args, "extract_ipv6"),
  },
  {
    name: "extract_mac",
    group: GROUP,
    description: "Distinct MAC addresses (colon or hyphen separated), normalised to lower-case with colons.",
    params: [param("text", "str")],
    returns: "list[str]",
    call: (args) => unique(scanMacs(textArg("extract_mac", args))),
  },
  {
    name: "extract_urls",
    group: GROUP,
    description: "Distinct valid URLs (http, https, ftp, sftp, ftps, tcp, udp) found in the text.",
    params: [
      param("text", "str"),
      param("http_only", "bool", { optional: true }),
      param("include_defanged", "bool", { optional: true }),
    ],
    returns: "list[str]",
    call(args) {
      const httpOnly = flag(args, 1);
      const text = textArg("extract_urls", args);
      const found = withDefanged(text, flag(args, 2), URL_DEFANGS, (t) => scanUrls(t, httpOnly));
      return unique(found.filter((url) => isUrl(url, httpOnly)));
    },
  },
  {
    name: "normalize_email",
    group: GROUP,
    description: "Lower-cases an e-mail address and removes a +tag from its local part.",
    params: [param("email", "str")],
    returns: "str",
    call: (args) => normalizeEmail(expectString("normalize_email", "email", args[0])),
  },
];
