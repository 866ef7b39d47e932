// IP addresses group (reference §2.16) with Python ipaddress's parsing rules (no leading zeros
// in IPv4 octets, strict networks) and its is_global tables.
import { type ExprValue, type FunctionDefinition, FunctionError } from "../function-definition.js";
import { param, typeError } from "./args.js";

const GROUP = "IP addresses";

export interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

function bad(kind: string, param: string): FunctionError {
  return new FunctionError(`parameter '${param}' does not appear to be ${kind} address`, "value_error");
}

export function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part) || (part.length > 1 && part.startsWith("0"))) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

export function parseIpv6(input: string): bigint | undefined {
  let text = input;
  const scope = text.indexOf("%");
  if (scope >= 0) {
    if (scope === text.length - 1 || text.slice(scope + 1).includes("%")) return undefined;
    text = text.slice(0, scope);
  }
  if (text.length > 45) return undefined;
  let parts = text.split(":");
  if (parts.length < 3) return undefined;
  let tail: bigint | undefined;
  const last = parts[parts.length - 1] as string;
  if (last.includes(".")) {
    tail = parseIpv4(last);
    if (tail === undefined) return undefined;
    parts = [...parts.slice(0, -1), ((tail >> 16n) & 0xffffn).toString(16), (tail & 0xffffn).toString(16)];
  }
  if (parts.length > 9) return undefined;
  let skip = -1;
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i] === "") {
      if (skip >= 0) return undefined;
      skip = i;
    }
  }
  let head: number;
  let tailCount: number;
  if (skip >= 0) {
    head = skip;
    tailCount = parts.length - skip - 1;
    if (parts[0] === "") {
      head -= 1;
      if (head) return undefined;
    }
    if (parts[parts.length - 1] === "") {
      tailCount -= 1;
      if (tailCount) return undefined;
    }
    if (head + tailCount > 7) return undefined;
  } else {
    if (parts.length !== 8) return undefined;
    if (parts[0] === "" || parts[parts.length - 1] === "") return undefined;
    head = parts.length;
    tailCount = 0;
  }
  const hextet = (s: string) => (/^[0-9a-fA-F]{1,4}$/.test(s) ? BigInt(`0x${s}`) : undefined);
  let value = 0n;
  for (let i = 0; i < head; i++) {
    const h = hextet(parts[i] as string);
    if (h === undefined) return undefined;
    value = (value << 16n) | h;
  }
  value <<= 16n * BigInt(8 - head - tailCount);
  for (let i = parts.length - tailCount; i < parts.length; i++) {
    const h = hextet(parts[i] as string);
    if (h === undefined) return undefined;
    value = (value << 16n) | h;
  }
  return value;
}

/** Python ip_address(): a str in either family, or an int (< 2^32 is IPv4). */
export function parseIp(value: ExprValue | undefined, name: string): IpAddress {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) {
    return { version: value < 2 ** 32 ? 4 : 6, value: BigInt(value) };
  }
  if (typeof value !== "string") throw typeError("", name, "an IPv4 or IPv6 address str", value);
  const v4 = parseIpv4(value);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const v6 = parseIpv6(value);
  if (v6 !== undefined) return { version: 6, value: v6 };
  throw bad("an IPv4 or IPv6", name);
}

function parseAddress(value: ExprValue | undefined, version: 4 | 6, name: string): bigint {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && (version === 6 || value < 2 ** 32)) {
    return BigInt(value);
  }
  if (typeof value !== "string") throw typeError("", name, `an IPv${version} address str`, value);
  const parsed = version === 4 ? parseIpv4(value) : parseIpv6(value);
  if (parsed === undefined) throw bad(`an IPv${version}`, name);
  return parsed;
}

interface Network {
  readonly base: bigint;
  readonly prefix: number;
}

function maskOf(prefix: number, bits: number): bigint {
  return prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
}

function prefixFromMask(mask: bigint, bits: number): number | undefined {
  for (let p = 0; p <= bits; p++) if (maskOf(p, bits) === mask) return p;
  return undefined;
}

/** Python ip_network(text, strict=True). */
function parseNetwork(value: ExprValue | undefined, version: 4 | 6, name: string): Network {
  if (typeof value !== "string") throw typeError("", name, `an IPv${version} network str such as 10.0.0.0/8`, value);
  const bits = version === 4 ? 32 : 128;
  const [addressText = "", maskText, extra] = value.split("/");
  if (extra !== undefined) throw bad(`an IPv${version} network`, name);
  const base = version === 4 ? parseIpv4(addressText) : parseIpv6(addressText);
  if (base === undefined) throw bad(`an IPv${version} network`, name);
  let prefix = bits;
  if (maskText !== undefined) {
    if (/^[0-9]+$/.test(maskText)) {
      prefix = Number(maskText);
      if (prefix > bits) throw new FunctionError(`parameter '${name}' has an invalid prefix length`, "value_error");
    } else {
      const mask = version === 4 ? parseIpv4(maskText) : undefined;
      const fromNet = mask === undefined ? undefined : prefixFromMask(mask, 32);
      const fromHost = mask === undefined ? undefined : prefixFromMask(mask ^ 0xffffffffn, 32);
      const p = fromNet ?? fromHost;
      if (p === undefined) throw new FunctionError(`parameter '${name}' has an invalid netmask`, "value_error");
      prefix = p;
    }
  }
  if ((base & ~maskOf(prefix, bits) & ((1n << BigInt(bits)) - 1n)) !== 0n) {
    throw new FunctionError(
      `parameter '${name}' has host bits set (use the network address, e.g. 192.168.1.0/24)`,
      "value_error",
    );
  }
  return { base, prefix };
}

function inNetwork(address: bigint, network: Network, bits: number): boolean {
  const mask = maskOf(network.prefix, bits);
  return (address & mask) === network.base;
}

function nets(list: string[], version: 4 | 6): Network[] {
  return list.map((n) => parseNetwork(n, version, "table"));
}

const V4_NOT_GLOBAL = nets(
  [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.0.170/31",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "240.0.0.0/4",
    "255.255.255.255/32",
  ],
  4,
);
const V4_EXCEPTIONS = nets(["192.0.0.9/32", "192.0.0.10/32"], 4);

const V6_NOT_GLOBAL = nets(
  [
    "::1/128",
    "::/128",
    "::ffff:0:0/96",
    "64:ff9b:1::/48",
    "100::/64",
    "2001::/23",
    "2001:db8::/32",
    "2002::/16",
    "3fff::/20",
    "fc00::/7",
    "fe80::/10",
  ],
  6,
);
const V6_EXCEPTIONS = nets(
  ["2001:1::1/128", "2001:1::2/128", "2001:3::/32", "2001:4:112::/48", "2001:20::/28", "2001:30::/28"],
  6,
);

export function ipv4IsGlobal(address: bigint): boolean {
  if (V4_EXCEPTIONS.some((n) => inNetwork(address, n, 32))) return true;
  return !V4_NOT_GLOBAL.some((n) => inNetwork(address, n, 32));
}

export function ipv6IsGlobal(address: bigint): boolean {
  if (address >> 32n === 0xffffn) return ipv4IsGlobal(address & 0xffffffffn);
  if (V6_EXCEPTIONS.some((n) => inNetwork(address, n, 128))) return true;
  return !V6_NOT_GLOBAL.some((n) => inNetwork(address, n, 128));
}

export const ipFunctions: FunctionDefinition[] = [
  {
    name: "check_ip_version",
    group: GROUP,
    description: "4 or 6: the version of an IP address.",
    params: [param("ip", "str")],
    returns: "int",
    call: (args) => parseIp(args[0], "ip").version,
  },
  {
    name: "ipv4_in_subnet",
    group: GROUP,
    description: "True if the IPv4 address is in the subnet (CIDR or netmask; host bits must be zero).",
    params: [param("ipv4", "str"), param("subnet", "str")],
    returns: "bool",
    call: (args) => inNetwork(parseAddress(args[0], 4, "ipv4"), parseNetwork(args[1], 4, "subnet"), 32),
  },
  {
    name: "ipv6_in_subnet",
    group: GROUP,
    description: "True if the IPv6 address is in the subnet (CIDR; host bits must be zero).",
    params: [param("ipv6", "str"), param("subnet", "str")],
    returns: "bool",
    call: (args) => inNetwork(parseAddress(args[0], 6, "ipv6"), parseNetwork(args[1], 6, "subnet"), 128),
  },
  {
    name: "ipv4_is_public",
    group: GROUP,
    description: "True if the IPv4 address is globally routable (not private, loopback, CGNAT, documentation…).",
    params: [param("ipv4", "str")],
    returns: "bool",
    call: (args) => ipv4IsGlobal(parseAddress(args[0], 4, "ipv4")),
  },
  {
    name: "ipv6_is_public",
    group: GROUP,
    description: "True if the IPv6 address is globally routable (not loopback, link-local, ULA, documentation…).",
    params: [param("ipv6", "str")],
    returns: "bool",
    call: (args) => ipv6IsGlobal(parseAddress(args[0], 6, "ipv6")),
  },
];
