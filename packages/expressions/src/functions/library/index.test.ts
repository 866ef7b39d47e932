// The library as registered: every reference function present with a signature and a one-line
// description; a fuzz test calling every function with generated arguments (only values or
// FunctionError, within the limits, no argument value in a message); and a representative
// subset through real expression evaluation.
import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ExpressionError } from "../../errors/expression-error.js";
import { evaluate } from "../../evaluator/evaluate.js";
import { restoreBudget, startBudget } from "../../limits/budget.js";
import { defaultRegistry } from "../default-registry.js";
import { ExprObject, type ExprValue, type FunctionContext, FunctionError } from "../function-definition.js";
import { arityBounds, broadcast } from "../registry.js";
import { PyDate, PyDateTime, PyTime, PyTimeDelta, UTC } from "./datetime-values.js";
import { libraryFunctions } from "./index.js";

// Reference §5.3 / tracecat-functions.md §7: 149 names in 18 groups; get_interaction is not ported.
const REFERENCE_GROUPS: Record<string, string[]> = {
  IO: ["parse_csv"],
  "String transforms": [
    "capitalize",
    "concat",
    "endswith",
    "format",
    "join",
    "lowercase",
    "prefix",
    "replace",
    "slice",
    "slugify",
    "split",
    "startswith",
    "strip",
    "suffix",
    "titleize",
    "uppercase",
    "url_encode",
    "url_decode",
  ],
  Comparison: [
    "greater_than_or_equal",
    "greater_than",
    "is_equal",
    "is_null",
    "less_than_or_equal",
    "less_than",
    "is_not_equal",
    "is_not_null",
    "not_equal",
    "not_null",
  ],
  Regex: ["regex_extract", "regex_match", "regex_not_match"],
  Arrays: [
    "compact",
    "contains",
    "does_not_contain",
    "contains_any_of",
    "contains_none_of",
    "difference",
    "flatten",
    "intersection",
    "drop_nulls",
    "is_empty",
    "is_in",
    "length",
    "not_empty",
    "is_not_empty",
    "not_in",
    "is_not_in",
    "symmetric_difference",
    "union",
    "unique",
    "zip_map",
    "at",
  ],
  Math: ["add", "sub", "mul", "div", "mod", "pow", "sum", "min", "max"],
  Iteration: ["zip", "iter_product", "range"],
  Generators: ["uuid4"],
  "JSON functions": ["lookup", "map_keys", "merge", "flatten_dict", "to_keys", "to_values", "tabulate"],
  Formatters: ["to_markdown_list", "to_markdown_table", "to_markdown_tasks"],
  Logical: ["and", "or", "not"],
  "Type conversion": [
    "is_json",
    "deserialize_json",
    "deserialize_ndjson",
    "deserialize_yaml",
    "prettify_json",
    "serialize",
    "serialize_json",
    "serialize_yaml",
  ],
  "Time related": [
    "datetime",
    "days_between",
    "days",
    "format_datetime",
    "from_timestamp",
    "get_day_of_week",
    "get_day",
    "get_hour",
    "get_minute",
    "get_month",
    "get_second",
    "get_year",
    "hours_between",
    "hours",
    "is_working_hours",
    "minutes_between",
    "minutes",
    "now",
    "parse_datetime",
    "parse_time",
    "seconds_between",
    "seconds",
    "set_timezone",
    "to_datetime",
    "to_isoformat",
    "to_time",
    "to_timestamp",
    "today",
    "unset_timezone",
    "utcnow",
    "wall_clock",
    "weeks_between",
    "weeks",
    "windows_filetime",
  ],
  Base64: ["to_base64", "from_base64", "to_base64url", "from_base64url"],
  "Hash functions": ["hash_md5", "hash_sha1", "hash_sha256", "hash_sha512"],
  "IP addresses": ["ipv4_in_subnet", "ipv6_in_subnet", "ipv4_is_public", "ipv6_is_public", "check_ip_version"],
  "IOC extractors": [
    "extract_asns",
    "extract_cves",
    "extract_domains",
    "extract_emails",
    "extract_md5",
    "extract_sha1",
    "extract_sha256",
    "extract_sha512",
    "extract_ip",
    "extract_ipv4",
    "extract_ipv6",
    "extract_mac",
    "extract_urls",
    "normalize_email",
  ],
};

const libraryNames = new Map<string, string>();
for (const d of libraryFunctions) for (const n of [d.name, ...(d.aliases ?? [])]) libraryNames.set(n, d.group);

describe("the FN library in the registry", () => {
  it("has every reference function (148 names, get_interaction excepted) in Tracecat's group", () => {
    const expected = Object.entries(REFERENCE_GROUPS).flatMap(([group, names]) =>
      names.map((n): [string, string] => [n, group]),
    );
    assert.equal(expected.length, 148);
    for (const [name, group] of expected) {
      assert.equal(libraryNames.get(name), group, `FN.${name}`);
      assert.ok(defaultRegistry.get(name) !== undefined, `registered: ${name}`);
      assert.ok(libraryFunctions.includes(defaultRegistry.get(name) as never), `library version wins: ${name}`);
    }
    assert.equal(libraryNames.size, 148);
    assert.equal(libraryFunctions.length, 142);
    assert.equal(defaultRegistry.has("get_interaction"), false);
  });

  it("gives every function a one-line description and a typed signature", () => {
    for (const d of libraryFunctions) {
      assert.match(d.description, /^\S.{10,160}$/, d.name);
      assert.ok(!d.description.includes("\n"), d.name);
      assert.ok(d.returns.length > 0, d.name);
      for (const p of d.params) assert.ok(p.name && p.type, `${d.name}.${p.name}`);
    }
  });

  it("keeps Tracecat's aliases", () => {
    const same = (a: string, b: string) => {
      assert.equal(defaultRegistry.get(a), defaultRegistry.get(b), `${a} = ${b}`);
    };
    same("not_equal", "is_not_equal");
    same("not_null", "is_not_null");
    same("is_in", "contains");
    same("not_in", "does_not_contain");
    same("not_in", "is_not_in");
    same("not_empty", "is_not_empty");
  });
});

// --- fuzz -----------------------------------------------------------------------------------

const CANARY = "CANARY-7c1e-secret-value";
const limits = { maxOutputChars: 4096, maxListLength: 1000, maxDepth: 32 };
const context: FunctionContext = { now: () => Date.UTC(2024, 5, 15, 10, 30), limits };

const interestingStrings = [
  CANARY,
  "",
  " ",
  "a,b\n1,2\n3",
  "2024-03-18T12:34:56Z",
  "2024-03-18",
  "2021-01-01T00:00:00+05:30",
  "20210101T123000",
  "12:34",
  "09:00:00",
  "%Y-%m-%d %H:%M:%S%z",
  "%a %-d %Q %",
  "{} {0} {:>10.3f} {name} {0[k]} {!r}",
  "%s %d %(a)s",
  "\\d+(a|b)*$",
  "(?P<x>a)(?=b)",
  "[",
  "(a+)+$",
  "192.168.1.1",
  "10.0.0.0/8",
  "2001:db8::1",
  "fe80::/10",
  "SGVsbG8=",
  "aGVsbG8",
  '{"a": [1, 2.5, null], "b": {"c": "é"}}',
  "a: yes\nb: [1, 2]\nc: 2021-01-01",
  "- a\n- !!python/tuple [1]",
  "America/New_York",
  "utc",
  "milliseconds",
  "ms",
  "full",
  "markdown",
  "xml",
  "html",
  "csv",
  "Contact me@example.com, see https://example.com/x?y=1 or 8.8.8.8 AS123 CVE-2021-1234 00:11:22:33:44:55",
  "d41d8cd98f00b204e9800998ecf8427e",
  "ΣΑΣ ß 😀 \u0000 \ud800",
  "a".repeat(300),
];

const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(0, -0, 1e16, 2 ** 53 + 2, 1e300, -1e-7, 0.5, 2.5, Number.NaN, Number.POSITIVE_INFINITY),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.constantFrom(...interestingStrings),
);

const objects = fc.constantFrom<ExprValue>(
  PyDateTime.fromFields({ year: 2024, month: 3, day: 10, hour: 2, minute: 30, second: 0, microsecond: 5 }, null),
  PyDateTime.fromFields(
    { year: 2024, month: 11, day: 3, hour: 1, minute: 30, second: 0, microsecond: 0 },
    { kind: "iana", name: "America/New_York" },
  ),
  PyDateTime.fromFields({ year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0, microsecond: 0 }, UTC),
  PyDateTime.fromFields(
    { year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59, microsecond: 999999 },
    null,
  ),
  new PyDate(0),
  new PyTime(45_296_000_000),
  new PyTimeDelta(0n),
  new PyTimeDelta(-1n),
  new PyTimeDelta(86_399_999_999_999_999n),
);

const value: fc.Arbitrary<ExprValue> = fc.letrec<{ v: ExprValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    objects,
    fc.array(tie("v"), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom("__proto__", "a", "1", "x y")), tie("v"), {
      maxKeys: 4,
    }),
  ),
})).v;

function isExprValue(v: unknown, depth = 0): boolean {
  if (depth > 200) return false;
  if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "string") return true;
  if (v instanceof ExprObject) return true;
  if (Array.isArray(v)) return v.every((x) => isExprValue(x, depth + 1));
  const proto = typeof v === "object" ? Object.getPrototypeOf(v) : undefined;
  if (typeof v === "object" && (proto === Object.prototype || proto === null)) {
    return Object.values(v as object).every((x) => isExprValue(x, depth + 1));
  }
  return false;
}

describe("fuzz: every function with generated arguments", () => {
  const names = defaultRegistry.names().filter((n) => n !== "wall_clock" && n !== "uuid4");
  it("returns a value or throws FunctionError (40k calls), never quoting an argument", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.array(value, { maxLength: 5 }),
        fc.boolean(),
        (name, generated, map) => {
          const definition = defaultRegistry.get(name);
          assert.ok(definition);
          // The registry checks arity before a call; generate counts it would let through.
          const { min, max } = arityBounds(definition);
          const args = generated.slice(0, max);
          while (args.length < min) args.push(generated.length % 2 ? "" : null);
          const previous = startBudget(2000);
          if (process.env.FN_FUZZ_TRACE) {
            appendFileSync(
              process.env.FN_FUZZ_TRACE,
              `${name} ${map} ${args
                .map((a) => JSON.stringify(a, (_k, v) => (typeof v === "bigint" ? String(v) : v)))
                .join(" | ")
                .slice(0, 500)}\n`,
            );
          }
          try {
            const result = map ? broadcast(definition, args, context) : definition.call(args, context);
            assert.ok(isExprValue(result), `FN.${name} returned a non-value`);
            if (typeof result === "string") assert.ok(result.length <= 1_000_000);
          } catch (error) {
            if (!(error instanceof FunctionError)) {
              throw new Error(
                `FN.${name} threw ${String((error as Error)?.name)}: ${String((error as Error)?.message)}`,
              );
            }
            assert.ok(!error.message.includes(CANARY), `FN.${name} quoted an argument: ${error.message}`);
          } finally {
            restoreBudget(previous);
          }
        },
      ),
      { numRuns: 40_000 },
    );
  });

  it("through evaluate: only values or ExpressionError (5k templates)", () => {
    const literal = fc.oneof(
      fc.constantFrom(
        "None",
        "True",
        "0",
        "-1",
        "2.5",
        "[]",
        "{}",
        "[1, 'a']",
        "{'k': [1]}",
        "FN.now()",
        "FN.minutes(5)",
      ),
      fc.constantFrom(...interestingStrings.slice(0, 30)).map((s) => `'${s.replace(/['\\\n]/g, "")}'`),
    );
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.array(literal, { maxLength: 4 }), (name, args) => {
        try {
          evaluate(`\${{ FN.${name}(${args.join(", ")}) }}`, {}, { limits: { ...limits, maxTimeMs: 2000 } });
        } catch (error) {
          if (!(error instanceof ExpressionError)) throw error;
        }
      }),
      { numRuns: 5_000 },
    );
  });
});

// --- through the language -------------------------------------------------------------------

describe("FN functions through expression evaluation", () => {
  const ctx = {
    ACTIONS: {
      scan: {
        result: {
          hits: [
            { ip: "10.0.0.1", score: 7 },
            { ip: "8.8.8.8", score: 3 },
          ],
        },
      },
    },
    TRIGGER: {
      text: "Seen 8.8.8.8 and evil[.]example[.]com, hash d41d8cd98f00b204e9800998ecf8427e",
      when: "2024-03-18T12:00:00Z",
    },
    ENV: { workflow: { start_time: "2024-01-01T00:00:00" } },
  };
  const ev = (source: string) => evaluate(`\${{ ${source} }}`, ctx, { now: () => Date.UTC(2024, 5, 15, 10, 30) });

  it("the expression examples of Tracecat's tests and docs", () => {
    const withInputs = (source: string) =>
      evaluate(`\${{ ${source} }}`, { inputs: { status: "in_progress_now" } } as never);
    assert.equal(ev("FN.sum([1, FN.sub(2, 3), 1 - 1])"), 0);
    assert.equal(withInputs("FN.replace(inputs.status, '_', ' ')"), "in progress now");
    assert.equal(ev("FN.zip_map(['a'], ['x'])['a']"), "x");
    assert.equal(ev("FN.range(0, 3)[0]"), 0);
    assert.deepEqual(ev(`FN.deserialize_json('{"status": "open", "count": 3}')`), { status: "open", count: 3 });
    assert.equal(ev(`FN.serialize_json({'status': 'ok', 'count': 3})`), '{"status":"ok","count":3}');
    assert.equal(ev("FN.length([1, 2, 3])"), 3);
    assert.equal(ev("FN.add(5, 2)"), 7);
    assert.deepEqual(ev("FN.add.map([1, 2, 3], [4, 5, 6])"), [5, 7, 9]);
  });

  it("strings, formatting and Python semantics", () => {
    assert.equal(ev("FN.format('{:>5}|{:.2f}|{}', 'a', 3.14158, [1, None])"), "    a|3.14|[1, None]");
    assert.equal(ev("FN.join(FN.split('a,b,c', ','), '\\n')"), "a\nb\nc");
    assert.equal(ev("FN.slugify('Héllo Wörld!')"), "hello-world");
    assert.equal(ev("FN.mod(-7, 3)"), 2);
    assert.equal(ev("FN.titleize(FN.lowercase('HELLO WORLD'))"), "Hello World");
    assert.equal(evaluate("Total: ${{ FN.sum([0.1, 0.2, 0.3]) }}", ctx), "Total: 0.6");
  });

  it("time functions with the logical clock and operators on datetime values", () => {
    assert.equal(ev("FN.to_isoformat(FN.now() - FN.minutes(15))"), "2024-06-15T10:15:00");
    assert.equal(ev("FN.utcnow()"), "2024-06-15T10:30:00+00:00");
    assert.equal(ev("FN.to_datetime(ENV.workflow.start_time) + FN.minutes(5)"), "2024-01-01T00:05:00");
    assert.equal(ev("FN.hours_between(TRIGGER.when, '2024-03-18T18:00:00Z')"), 6);
    assert.equal(ev("FN.format_datetime(FN.set_timezone(TRIGGER.when, 'America/New_York'), '%H:%M %Z')"), "08:00 EDT");
    assert.equal(ev("FN.is_working_hours(TRIGGER.when, '09:00', '17:00', False, 'America/New_York')"), false);
    assert.equal(ev("FN.minutes(90) > FN.hours(1)"), true);
    assert.equal(evaluate("at ${{ FN.to_datetime(1609459200) }}", ctx), "at 2021-01-01T00:00:00+00:00");
  });

  it("collections, .map and IOC extraction", () => {
    assert.deepEqual(ev("FN.lookup.map(ACTIONS.scan.result.hits, 'ip')"), ["10.0.0.1", "8.8.8.8"]);
    assert.deepEqual(ev("FN.ipv4_is_public.map(FN.lookup.map(ACTIONS.scan.result.hits, 'ip'))"), [false, true]);
    assert.deepEqual(ev("FN.extract_ipv4(TRIGGER.text)"), ["8.8.8.8"]);
    assert.deepEqual(ev("FN.extract_domains(TRIGGER.text, True)"), ["evil.example.com"]);
    assert.deepEqual(ev("FN.extract_md5(TRIGGER.text)"), ["d41d8cd98f00b204e9800998ecf8427e"]);
    assert.equal(ev("FN.to_markdown_table(ACTIONS.scan.result.hits)"), "|ip|score|\n|-|-|\n|10.0.0.1|7|\n|8.8.8.8|3|");
    assert.equal(ev("FN.regex_extract('eventId=(\\d+)', 'x?eventId=42')"), "42");
  });

  it("reports function errors at the call with the function named, never the value", () => {
    const secretCtx = { SECRETS: { api: { TOKEN: "s3cr3t-token-value" } } };
    for (const [source, pattern] of [
      ["FN.div(1, 0)", /FN\.div failed: Cannot divide by zero/],
      ["FN.to_datetime(SECRETS.api.TOKEN)", /FN\.to_datetime failed: invalid isoformat string/],
      ["FN.regex_match('(?<=a)b', SECRETS.api.TOKEN)", /FN\.regex_match failed: parameter 'pattern' uses a lookbehind/],
      ["FN.slice(SECRETS.api.TOKEN, 'x', 1)", /FN\.slice failed: parameter 'start_index' must be an int, got str/],
    ] as const) {
      assert.throws(
        () => evaluate(`\${{ ${source} }}`, secretCtx),
        (error: unknown) => {
          assert.ok(error instanceof ExpressionError);
          assert.match(error.message, pattern);
          assert.ok(!error.message.includes("s3cr3t-token-value"));
          return true;
        },
      );
    }
  });
});

describe("every function reports misuse with a message a user can act on", () => {
  it("wrong argument counts name the function and the bounds", () => {
    for (const name of defaultRegistry.names()) {
      const definition = defaultRegistry.get(name);
      assert.ok(definition);
      const { min, max } = arityBounds(definition);
      const count = Number.isFinite(max) ? max + 1 : min - 1;
      if (count < 0) continue;
      const args = Array.from({ length: count }, () => "None").join(", ");
      assert.throws(
        () => evaluate(`\${{ FN.${name}(${args}) }}`, {}),
        (error: unknown) => {
          assert.ok(error instanceof ExpressionError);
          assert.equal(error.code, "arity");
          assert.match(
            error.message,
            Number.isFinite(max)
              ? new RegExp(`^Function '${name}' accepts at most ${max} argument\\(s\\) but ${count} were provided`)
              : new RegExp(`^Function '${name}' expects at least ${min} argument\\(s\\) but ${count} were provided`),
          );
          return true;
        },
        name,
      );
    }
  });

  it("wrong argument types name the function, the parameter and the type", () => {
    const cases: [string, string][] = [
      ["FN.lowercase(None)", "FN.lowercase failed: parameter 'x' must be a str, got NoneType"],
      ["FN.prefix(['a'] * 3, 'p') + 1", 'can only concatenate list (not "int") to list'],
      [
        "FN.greater_than_or_equal('a', 1)",
        "FN.greater_than_or_equal failed: '>=' not supported between instances of 'str' and 'int'",
      ],
      ["FN.regex_not_match('a', None)", "FN.regex_not_match failed: parameter 'text' must be a str, got NoneType"],
      ["FN.contains_none_of(1, [1])", "FN.contains_none_of failed: parameter 'a' must be a list, str or dict, got int"],
      ["FN.intersection([[1]], [1])", "FN.intersection failed: unhashable type: 'list'"],
      [
        "FN.symmetric_difference(None, [])",
        "FN.symmetric_difference failed: parameter 'a' must be a list, str or dict, got NoneType",
      ],
      ["FN.not_empty(5)", "FN.not_empty failed: object of type 'int' has no len() (parameter 'x')"],
      ["FN.not_in(1, None)", "FN.not_in failed: argument of type 'NoneType' is not iterable"],
      ["FN.min(None, 1)", "FN.min failed: '<' not supported between instances of 'int' and 'NoneType'"],
      ["FN.serialize_yaml(FN.range(0, 5000))", "limit_exceeded"],
      ["FN.get_day(1)", "FN.get_day failed: parameter 'x' must be a datetime or an ISO 8601 str, got int"],
      ["FN.get_hour('noon')", "FN.get_hour failed: invalid isoformat string"],
      [
        "FN.get_minute(None)",
        "FN.get_minute failed: parameter 'x' must be a datetime or an ISO 8601 str, got NoneType",
      ],
      ["FN.get_second([])", "FN.get_second failed: parameter 'x' must be a datetime or an ISO 8601 str, got list"],
      ["FN.hours('1')", "FN.hours failed: parameter 'x' must be an int or float, got str"],
      ["FN.minutes(None)", "FN.minutes failed: parameter 'x' must be an int or float, got NoneType"],
      ["FN.seconds(FN.pow(10, 300))", "FN.seconds failed: timedelta is out of range"],
      ["FN.weeks([1])", "FN.weeks failed: parameter 'x' must be an int or float, got list"],
      [
        "FN.hours_between('2024-01-01', None)",
        "FN.hours_between failed: parameter 'end' must be a datetime or an ISO 8601 str, got NoneType",
      ],
      ["FN.minutes_between('2024-01-01', '2024-01-01Z')", "FN.minutes_between failed: invalid isoformat string"],
      [
        "FN.weeks_between('2024-01-01', '2024-01-01T00:00Z')",
        "FN.weeks_between failed: can't subtract offset-naive and offset-aware datetimes",
      ],
      [
        "FN.unset_timezone(5)",
        "FN.unset_timezone failed: parameter 'x' must be a datetime or an ISO 8601 str, got int",
      ],
      ["FN.utcnow(True, 'nanoseconds')", "FN.utcnow failed: unknown timespec value"],
      ["FN.wall_clock(True, 'week')", "FN.wall_clock failed: unknown timespec value"],
      ["FN.to_base64url(None)", "FN.to_base64url failed: parameter 'x' must be a str, got NoneType"],
      ["FN.hash_sha1([])", "FN.hash_sha1 failed: parameter 'x' must be a str, got list"],
      ["FN.hash_sha512(1)", "FN.hash_sha512 failed: parameter 'x' must be a str, got int"],
      ["FN.extract_domains(None)", "FN.extract_domains failed: parameter 'text' must be a str, got NoneType"],
      ["FN.extract_emails(5)", "FN.extract_emails failed: parameter 'text' must be a str, got int"],
      ["FN.extract_ipv4([])", "FN.extract_ipv4 failed: parameter 'text' must be a str, got list"],
      ["FN.extract_ipv6({})", "FN.extract_ipv6 failed: parameter 'text' must be a str, got dict"],
      ["FN.extract_mac(None)", "FN.extract_mac failed: parameter 'text' must be a str, got NoneType"],
      ["FN.extract_md5(1)", "FN.extract_md5 failed: parameter 'text' must be a str, got int"],
      ["FN.extract_sha1(True)", "FN.extract_sha1 failed: parameter 'text' must be a str, got bool"],
      ["FN.extract_sha256(1.5)", "FN.extract_sha256 failed: parameter 'text' must be a str, got float"],
      ["FN.extract_sha512(None)", "FN.extract_sha512 failed: parameter 'text' must be a str, got NoneType"],
      ["FN.serialize(FN.range(0, 5000))", "limit_exceeded"],
    ];
    for (const [source, expected] of cases) {
      assert.throws(
        () => evaluate(`\${{ ${source} }}`, {}, { limits: { maxOutputChars: 10_000 } }),
        (error: unknown) => {
          assert.ok(error instanceof ExpressionError, source);
          assert.ok(error.message.includes(expected) || error.code === expected, `${source}: ${error.message}`);
          return true;
        },
        source,
      );
    }
  });

  it("functions that accept any value still return Python's answer for None and empty input", () => {
    const ev = (source: string) => evaluate(`\${{ ${source} }}`, {});
    assert.equal(ev("FN.is_equal(None, None)"), true);
    assert.equal(ev("FN.not_equal([], {})"), true);
    assert.equal(ev("FN.is_null('')"), false);
    assert.equal(ev("FN.not_null(0)"), true);
    assert.deepEqual(ev("FN.and([], 1)"), []);
    assert.equal(ev("FN.or('', None)"), null);
    assert.equal(ev("FN.not({})"), true);
    assert.equal(ev("FN.is_json(None)"), false);
    assert.equal(ev("FN.is_json('')"), false);
    assert.equal(ev("FN.serialize(None)"), "null");
    assert.equal(ev("FN.serialize_yaml({})"), "{}\n");
    assert.equal(ev("FN.lowercase('')"), "");
    assert.deepEqual(ev("FN.prefix([], 'p')"), []);
    assert.deepEqual(ev("FN.suffix('', 's')"), "s");
    assert.match(ev("FN.uuid4()") as string, /^[0-9a-f-]{36}$/);
    assert.equal(ev("FN.today()"), ev("FN.format_datetime(FN.utcnow(), '%Y-%m-%d')"));
  });
});
