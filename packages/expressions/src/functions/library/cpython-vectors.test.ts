// The library against expected outputs computed by CPython (cpython-vectors.py writes them):
// str.format and format specs, % formatting, str methods, URL quoting,
// base64, ipaddress, fromisoformat/isoformat/timestamps, strftime/strptime, zoneinfo offsets,
// re search/match, Tracecat's IOC patterns and PyYAML. Float and str repr: ../../values/python-str.test.ts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ExprObject, type ExprValue } from "../function-definition.js";
import { PyDateTime, UTC } from "./datetime-values.js";
import { libraryFunctions } from "./index.js";
import { isDomain, scanDomains } from "./ioc/domain.js";
import { scanIpv4, scanIpv6, scanMacs } from "./ioc/network.js";
import { scanUrls } from "./ioc/url.js";
import { parseIsoDateTime } from "./isoformat.js";
import { formatValue, pyFormat, pyPercentFormat } from "./python-format.js";
import { pyReExtract, pyReMatch } from "./regex.js";
import { strftime } from "./strftime.js";
import { strptime } from "./strptime.js";
import { callerFor } from "./test-support.js";

// dist/src/functions/library → the package's src/functions/library (the data is not compiled).
const vectors = JSON.parse(
  readFileSync(new URL("../../../../src/functions/library/cpython-vectors.txt", import.meta.url), "utf8"),
) as Record<string, never[]>;

const fn = callerFor(libraryFunctions, { now: () => 0 });

function attempt(run: () => unknown): unknown {
  try {
    return run();
  } catch {
    return "ERR";
  }
}

function mismatches<T extends unknown[]>(cases: T[], check: (...row: T) => [unknown, unknown]): string[] {
  const bad: string[] = [];
  for (const row of cases) {
    const [got, expected] = check(...row);
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      bad.push(`${JSON.stringify(row).slice(0, 160)} → ${JSON.stringify(got)}`);
    }
  }
  return bad;
}

const rows = (name: string) => vectors[name] as unknown as unknown[][];

describe("CPython reference vectors", () => {
  it("format specs, str.format templates and % formatting", () => {
    assert.deepEqual(
      mismatches(rows("format_spec") as [string, ExprValue, string][], (spec, v, e) => [
        attempt(() => formatValue(v, spec, "format")),
        e,
      ]),
      [],
    );
    assert.deepEqual(
      mismatches(rows("format_template") as [string, ExprValue[], string][], (t, a, e) => [
        attempt(() => pyFormat(t, a)),
        e,
      ]),
      [],
    );
    assert.deepEqual(
      mismatches(rows("percent") as [string, ExprValue, string][], (f, v, e) => [
        attempt(() => pyPercentFormat(f, v)),
        e,
      ]),
      [],
    );
  });

  it("str methods (float and str repr: values/python-str.test.ts)", () => {
    const strings = vectors.strings as unknown as Record<string, unknown>[];
    const bad: string[] = [];
    for (const c of strings) {
      const s = c.s as string;
      const got = {
        title: fn("titleize", s),
        capitalize: fn("capitalize", s),
        lower: fn("lowercase", s),
        upper: fn("uppercase", s),
        strip: fn("strip", s, null),
        split: fn("split", s, null),
        quote: attempt(() => fn("url_encode", s)),
      };
      for (const [key, value] of Object.entries(got)) {
        if (JSON.stringify(value) !== JSON.stringify(c[key])) bad.push(`${key} ${JSON.stringify(s)}`);
      }
    }
    assert.deepEqual(bad, []);
    assert.deepEqual(
      mismatches(rows("unquote") as [string, string][], (p, e) => [fn("url_decode", p), e]),
      [],
    );
  });

  it("base64 and ipaddress", () => {
    // Python's result is the decoded bytes (as latin1); from_base64 then decodes UTF-8, so compare bytes.
    const validUtf8 = (bytes: Buffer) => {
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    const bad = mismatches(rows("base64") as [string, string][], (x, e) => {
      const got = attempt(() => fn("from_base64", x));
      if (typeof got === "string" && got !== "ERR") return [Buffer.from(got, "utf8").toString("latin1"), e];
      if (e !== "ERR" && !validUtf8(Buffer.from(e, "latin1"))) return [e, e];
      return [got, e];
    });
    assert.deepEqual(bad, []);
    assert.deepEqual(
      mismatches(rows("ip_version") as [string, number][], (x, e) => [attempt(() => fn("check_ip_version", x)), e]),
      [],
    );
  });

  it("fromisoformat, isoformat, str(), timestamps", () => {
    assert.deepEqual(
      mismatches(rows("fromisoformat") as [string, string][], (s, e) => [
        attempt(() => parseIsoDateTime(s).isoformat()),
        e,
      ]),
      [],
    );
    assert.deepEqual(
      mismatches(rows("from_timestamp") as [number, string][], (t, e) => [
        attempt(() => (fn("from_timestamp", t) as PyDateTime).isoformat()),
        e,
      ]),
      [],
    );
    const bad: string[] = [];
    type Moment = { iso: string; str: string; specs: Record<string, string>; s: unknown; ms: unknown };
    for (const c of vectors.datetimes as unknown as Moment[]) {
      const value = parseIsoDateTime(c.iso);
      if (value.toPythonString() !== c.str) bad.push(`str ${c.iso}`);
      for (const [spec, expected] of Object.entries(c.specs as Record<string, string>)) {
        if (fn("to_isoformat", value, spec) !== expected) bad.push(`${spec} ${c.iso}`);
      }
      if (attempt(() => fn("to_timestamp", value)) !== c.s) bad.push(`s ${c.iso}`);
      if (attempt(() => fn("to_timestamp", value, "ms")) !== c.ms) bad.push(`ms ${c.iso}`);
    }
    assert.deepEqual(bad, []);
  });

  it("strftime, strptime and zoneinfo offsets (fold=0)", () => {
    assert.deepEqual(
      mismatches(rows("strftime") as [string, string, string][], (iso, f, e) => [
        strftime(parseIsoDateTime(iso), f),
        e,
      ]),
      [],
    );
    assert.deepEqual(
      mismatches(rows("strptime") as [string, string, string][], (s, f, e) => [
        attempt(() => strptime(s, f).isoformat()),
        e,
      ]),
      [],
    );
    assert.deepEqual(
      mismatches(rows("zones") as [string, number[], string, string][], (zone, w, iso, utc) => {
        const [year = 0, month = 0, day = 0, hour = 0, minute = 0] = w;
        const value = PyDateTime.fromFields(
          { year, month, day, hour, minute, second: 0, microsecond: 0 },
          {
            kind: "iana",
            name: zone,
          },
        );
        return [
          [value.isoformat(), value.withZone(UTC).isoformat()],
          [iso, utc],
        ];
      }),
      [],
    );
  });

  it("re.search / re.match", () => {
    assert.deepEqual(
      mismatches(rows("regex") as [string, string, string | null, boolean][], (p, t, e, m) => [
        [attempt(() => pyReExtract(p, t)), attempt(() => pyReMatch(p, t))],
        [e, m],
      ]),
      [],
    );
  });

  it("Tracecat's IOC patterns", () => {
    const bad: string[] = [];
    for (const c of vectors.ioc as unknown as Record<string, unknown>[]) {
      const t = c.text as string;
      const got: Record<string, unknown> = {
        domains: scanDomains(t),
        urls: scanUrls(t, false),
        ipv6: [...new Set(scanIpv6(t))],
        ipv4: [...new Set(scanIpv4(t))],
        mac: [...new Set(scanMacs(t))],
        asns: fn("extract_asns", t),
        cves: fn("extract_cves", t),
      };
      for (const [key, value] of Object.entries(got)) {
        if (JSON.stringify(value) !== JSON.stringify(c[key])) bad.push(`${key} ${JSON.stringify(t)}`);
      }
    }
    assert.deepEqual(bad, []);
    assert.equal(isDomain("Example.COM"), true);
  });

  it("PyYAML safe_load and dump", () => {
    const plain = (v: ExprValue): unknown => {
      if (v instanceof ExprObject) return { [`$${v.typeName}`]: v.toPythonString() };
      if (typeof v === "number" && !Number.isFinite(v)) {
        return { $float: Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf" };
      }
      if (Array.isArray(v)) return v.map(plain);
      if (v !== null && typeof v === "object")
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
      return v;
    };
    // Left out: bool keys merging with 1 (keys are strings here).
    const loads = (rows("yaml_load") as [string, unknown][]).filter(([d]) => !d.startsWith("1: one"));
    assert.deepEqual(
      mismatches(loads, (d, e) => [attempt(() => plain(fn("deserialize_yaml", d) as ExprValue)), e]),
      [],
    );
    assert.deepEqual(
      mismatches(rows("yaml_dump") as [ExprValue, string][], (v, e) => [fn("serialize_yaml", v), e]),
      [],
    );
  });
});
