"""Writes cpython-vectors.txt (JSON; .txt keeps the formatter off it): expected outputs computed by CPython (3.11+, with PyYAML) for
the Python semantics the FN library and the language reproduce. cpython-vectors.test.ts checks
the library and ../../values/python-str.test.ts the float and str repr against them, so the
comparison runs in CI without Python.

    python3 packages/expressions/src/functions/library/cpython-vectors.py

Inputs are generated with fixed seeds; cases that hit documented divergences (integral floats,
tuples, Unicode \\b) are left out. Run it again after changing the generators.
"""

import base64
import datetime as dt
import ipaddress
import json
import pathlib
import random
import re
import urllib.parse
from zoneinfo import ZoneInfo

import yaml

UTC = dt.timezone.utc
out = {}


def attempt(fn):
    try:
        return fn()
    except Exception:
        return "ERR"


# str.format specs over values a JS number represents exactly as Python does.
specs = ["", "d", ">5", "<5", "^7", "=+8", "+", " ", "05", "010.3f", ".2f", ".0f", ".3e", "e", "E", "g",
         ".3g", "G", ".10g", "%", ".1%", ",", "_", ",.2f", "x", "#x", "X", "#o", "b", "#b", "_b", ",d",
         "*^12,.2f", "+.3", ".2", "#.3g", "z.2f", "c", "s", ">10s", ".3s", "n", "08.3e", "-^9", "#", "#g",
         "#.0f", ".0e", ".0%", "+08,d", "020,.2f"]
values = [0, 1, -1, 7, 255, 1234567, -98765, 3.14159, -2.5, 2.5, 0.5, 1.5, 1e-5, 1.5e-7,
          123456789.125, 0.1, "abc", "", True]
out["format_spec"] = [[s, v, attempt(lambda: format(v, s))] for s in specs for v in values]

templates = ["{}", "{0}{1}{0}", "{} {}", "{0[k]}", "{0[1]}", "{0[k][0]}", "{{}}", "{{{}}}", "}}{{", "{", "}",
             "{:}", "{!r}", "{!s:>5}", "{!a}", "{!x}", "{0!r:^9}", "{:{}}", "{:{}{}}", "{:>{}.{}f}", "{0:{1}}",
             "{[0]}", "{0[]}", "{name}", "{0}{}", "{:=^10}", "{:\u00e9^7}", "{:{}}{}", "a{0}b{1}c", "{:,}",
             "{0:x} {0:o} {0:b}", "{:s}", "{!r:5}"]
arg_sets = [["é", 4, 2], [{"k": ["v"]}, 2], [[1, 2, 3], "x"], [3.14159, 8, 3], [12, "ab"], ["q'\"", 7, 1]]
out["format_template"] = [[t, a, attempt(lambda: t.format(*a))] for t in templates for a in arg_sets]

pct = ["%s", "%r", "%a", "%d", "%i", "%5d", "%-5d|", "%05d", "%+d", "% d", "%x", "%#x", "%X", "%o", "%#o", "%e",
       "%.2e", "%E", "%f", "%.1f", "%10.3f", "%-10.2f|", "%g", "%.3g", "%G", "%c", "%%%s", "%(a)s", "%.2s", "%5s",
       "%-5s|", "%u", "%#g", "%5.1%", "%ld", "%q"]
pct_values = [0, 7, -42, 255, 3.14159, -0.5, 1e-7, "ab", "é", True, None, [1, 2], {"a": "x"}, 65]
out["percent"] = [[f, v, attempt(lambda: f % v)] for f in pct for v in pct_values]

rnd = random.Random(3)
floats = []
while len(floats) < 400:
    x = rnd.choice([rnd.uniform(-1e6, 1e6), rnd.choice([1, -1]) * 10 ** rnd.uniform(-30, 30)])
    if x != int(x):
        floats.append([x, repr(x)])
out["float_repr"] = floats

rnd = random.Random(5)
alphabet = "aZ09 _'-ß ǆǅǄ ﬁ ŉ İı Σσς ᾳ ΐ ﬀ Ǳ ǰ ʼn ⅷ Ⓐ ǈ ẞ µ ÿ Ÿ \u0345 \t\n\x1c\x85\u2028\u00a0\u3000😀𝐀\"\\\x00\u200b\ufeff"
strings = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12))) for _ in range(300)]
out["strings"] = [{
    "s": s, "title": s.title(), "capitalize": s.capitalize(), "lower": s.lower(), "upper": s.upper(),
    "strip": s.strip(), "split": s.split(), "quote": urllib.parse.quote(s, safe=""), "repr": repr(s),
    "repr_list": repr([s, 1.5, None, True, {"k": s}]),
} for s in strings]
out["unquote"] = [[p, urllib.parse.unquote(p)] for p in
                  ["%41%zz%4", "%e2%82%ac%e2%82", "%C3%28", "a+b%2B", "%%41", "%F0%9F%98%80", "%c0%af", "%ff"]]
b64 = ["aGVsbG8=", "aGVsbG8", "a", "ab", "abc", "abcd", "ab==", "ab=", "a===", "YQ", "YQ=", "YQ==", "Y Q = =",
       "!!!!", "YWJj\nZGVm", "=YQ==", "YQ==\n=", "aGVsbG8==x", "YQ=x=", "Y=Q=="]
out["base64"] = [[x, attempt(lambda: base64.b64decode(x).decode("latin1"))] for x in b64]
ips = ["1.2.3.4", "01.2.3.4", "1.2.3", "1.2.3.4.5", "256.0.0.1", "0.0.0.0", "::", "::1", "1::", "1:2:3:4:5:6:7:8",
       "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1::2::3", "::ffff:1.2.3.4",
       "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0", "fe80::1%", "12345::", "::g", ":1:2",
       "1:2:", "1.2.3.04", " 1.2.3.4", "::1.2.3.4", "1::1.2.3.4"]
out["ip_version"] = [[x, attempt(lambda: ipaddress.ip_address(x).version)] for x in ips]

# datetime.fromisoformat, isoformat, str(), timestamps.
dates = ["2021-01-01", "20210101", "2021-W01", "2021W01", "2021-W01-1", "2021W011", "2021-W53-7", "2020-W53-7",
         "2021-02-29", "2024-02-29", "0001-01-01", "9999-12-31", "2021-13-01", "2021-1-1", "2021-001", "2021-0101"]
times = ["", "T12", "T12:30", "T1230", "T12:30:45", "T123045", "T12:30:45.5", "T12:30:45,123456789", "T12:30:45.",
         "T24:00", "T23:59:60", "T12:3", "T12:30:4", "T12:30:45Z", "T12:30+05:30", "T12:30-0800", "T12:30+05",
         "T12+05:30:15", "T12:30:45.1+00:00", "T12:30:45z", "t12:30", " 12:30", "x12:30", "T12:30Z+01",
         "T12:30+24:00", "T12:30+23:59", "T12:30:45.123Z", "T12:3045", "T1230:45", "T"]
out["fromisoformat"] = [[d + t, attempt(lambda: dt.datetime.fromisoformat(d + t).isoformat())]
                        for d in dates for t in times]
rnd = random.Random(8)
stamps = [rnd.uniform(-1e10, 1e10) for _ in range(150)] + [rnd.randint(-10 ** 10, 10 ** 10) / 1000 for _ in range(100)]
stamps += [1609459200.5, -1.5, 0.0000005, 0.0000015, -0.0000005, 1e-7]
out["from_timestamp"] = [[t, attempt(lambda: dt.datetime.fromtimestamp(t, UTC).isoformat())] for t in stamps]
moments = []
for _ in range(120):
    value = dt.datetime(rnd.randint(1, 9999), rnd.randint(1, 12), rnd.randint(1, 28), rnd.randint(0, 23),
                        rnd.randint(0, 59), rnd.randint(0, 59), rnd.choice([0, rnd.randint(0, 999999)]),
                        tzinfo=rnd.choice([None, UTC, dt.timezone(dt.timedelta(hours=5, minutes=30))]))
    aware = value.replace(tzinfo=value.tzinfo or UTC)
    moments.append({
        "iso": value.isoformat(), "str": str(value),
        "specs": {k: value.isoformat(timespec=k) for k in
                  ["auto", "hours", "minutes", "seconds", "milliseconds", "microseconds"]},
        "s": attempt(lambda: int(aware.timestamp())), "ms": attempt(lambda: int(aware.timestamp() * 1000)),
    })
out["datetimes"] = moments

strf_moments = [dt.datetime(2021, 1, 1), dt.datetime(2021, 1, 5, 3, 4, 5, 123000, tzinfo=UTC),
                dt.datetime(2024, 12, 30, 23, 59, 59), dt.datetime(2027, 1, 1, 12),
                dt.datetime(1999, 12, 31, 0, 0, 0, 999999, tzinfo=dt.timezone(dt.timedelta(hours=-3, minutes=-30))),
                dt.datetime(9, 3, 4), dt.datetime(2020, 2, 29, 12)]
strf_formats = ["%a %A %b %B %c %C %d %D %e %F %g %G %h %H %I %j %k %l %m %M %n %p %P %r %R %S %t %T %u %U %V %w %W "
                "%x %X %y %Y %z %Z %%", "%-d %-m %-H %-I %-j %_d %_H %05Y %^a %^B %10A %3d %Oy %Ey", "%q %s %f"]
out["strftime"] = [[m.isoformat(), f, m.strftime(f)] for m in strf_moments for f in strf_formats]
strp = [("2021-01-01 00:00:00", "%Y-%m-%d %H:%M:%S"), ("01/01/2021 15:30", "%d/%m/%Y %H:%M"),
        ("2021-1-5 3:04", "%Y-%m-%d %H:%M"), ("10:30", "%H:%M"), ("2021-01-05T03:04:05Z", "%Y-%m-%dT%H:%M:%S%z"),
        ("2021-01-05T03:04:05+05:30", "%Y-%m-%dT%H:%M:%S%z"), ("2021-01-05T03:04:05-0800", "%Y-%m-%dT%H:%M:%S%z"),
        ("Tue Jan  5 03:04:05 2021", "%c"), ("01/05/21", "%x"), ("03:04:05", "%X"), ("5 January 2021", "%d %B %Y"),
        ("5 jan 21", "%d %b %y"), ("69", "%y"), ("68", "%y"), ("2021 100", "%Y %j"), ("2021 10 1", "%Y %W %w"),
        ("2021 10 1", "%Y %U %w"), ("2021 0 3", "%Y %W %w"), ("12 AM", "%I %p"), ("12 pm", "%I %p"),
        ("7 PM", "%I %p"), ("2021-01-01   12", "%Y-%m-%d %H"), ("2021-02-29", "%Y-%m-%d"), ("1900-02-29", "%Y-%m-%d"),
        ("2021-01-01 UTC", "%Y-%m-%d %Z"), ("2021-01-01 EST", "%Y-%m-%d %Z"), ("2021-01-01.123", "%Y-%m-%d.%f"),
        ("2021-01-01.1234567", "%Y-%m-%d.%f"), ("2021-01-01x", "%Y-%m-%d"), (" 2021-01-01", "%Y-%m-%d"),
        ("2021-01-01", "%Y-%m-%d "), ("Monday 2021 01", "%A %Y %W"), ("100%", "%d%%"), ("31/12", "%d/%m"),
        ("2021-13-01", "%Y-%m-%d"), ("24:00", "%H:%M"), ("23:60", "%H:%M"), ("23:59:61", "%H:%M:%S")]
out["strptime"] = [[s, f, attempt(lambda: dt.datetime.strptime(s, f).isoformat())] for s, f in strp]

zones = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo",
         "Pacific/Apia", "Europe/Dublin", "UTC", "Africa/Casablanca", "America/St_Johns"]
walls = [(y, m, d, h, mi) for y, m, d in [(2024, 3, 10), (2024, 11, 3), (2024, 3, 31), (2024, 10, 27), (2024, 4, 7),
                                          (2024, 10, 6), (2011, 12, 29), (2011, 12, 30), (1950, 6, 1)]
         for h in [1, 2, 3] for mi in [0, 30]]
out["zones"] = [[z, list(w), dt.datetime(*w, tzinfo=ZoneInfo(z)).isoformat(),
                 dt.datetime(*w, tzinfo=ZoneInfo(z)).astimezone(UTC).isoformat()] for z in zones for w in walls]

# Python re: search (first participating group) and match; \b/\B patterns left out (ASCII in RE2).
patterns = [r"\d+", r"\w+", r"\s+", r"\W+", r"\D+", r"\S+", r"[\w-]+", r"[^\w]+", r"[\d.]+", r"[\s,]+", r"^a", r"a$",
            r"^a$", r"(?i)abc", r"(?m)^b", r"(?s)a.b", r"a.b", r"(a)|(b)", r"(x)?y", r"()a", r"(?P<n>\w)\w", r"a{,2}",
            r"a{2,}", r"\Aab", r"ab\Z", r"[a-c]+?", r"(?:ab)+", r"\u00e9+", r"[^\s]+$", r"(\d+)-(\d+)", r"é|e",
            r"\x41", r"[\]]", r"[]a]", r"a|b|", r"(?i:A)b", r"\.", r"\$\d", r"[^a-z\d]", r"(?a)\w+", r"(?a)\d"]
rnd = random.Random(11)
alph = "ab c1\n٣é_-.$]ÀΣ\t\u2003x"
texts = ["".join(rnd.choice(alph) for _ in range(rnd.randint(0, 8))) for _ in range(20)]
texts += ["a\n", "ab\n", "foo bar", "a", "", "x-12-34\n", "b\nb"]


def first_group(p, t):
    m = re.search(p, t)
    if not m:
        return None
    for g in range(1, (m.re.groups or 0) + 1):
        if m.start(g) != -1:
            return m.group(g)
    return m.group(0)


out["regex"] = [[p, t, first_group(p, t), re.match(p, t) is not None] for p in patterns for t in texts]

# IOC candidate patterns (reference §2.18), before library validation.
DOMAIN = re.compile(r"(?<![:/+\w])(?>(?>(?:xn--[a-zA-Z0-9]+|[a-zA-Z0-9](?>[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)\.)+"
                    r"(?:xn--[a-zA-Z0-9-]+|[a-zA-Z]{2,})(?:\.(?:xn--[a-zA-Z0-9-]+|[a-zA-Z]{2,}))*)(?![:/+@\w])")
URL = (r"(?:https?|tcp|udp|ftp|sftp|ftps):\/\/(?:www\.)?[-a-zA-Z0-9@:%._\+~#=\u00A0-\uFFFF]{1,256}"
       r"(?:\.[a-zA-Z0-9()\u00A0-\uFFFF]{1,63})+(?::\d{1,5})?(?:\/[-a-zA-Z0-9()@:%_\+.~#?&\/=\u00A0-\uFFFF]*)?"
       r"(?<![?&=/#.])")
H, V4, E = "[0-9A-Fa-f]{1,4}", r"(?:\d{1,3}\.){3}\d{1,3}", r"(?=\](?::\d+)?)"
IPV6 = "|".join([rf"\b(?:{H}:){{7}}{H}\b", rf"\b(?:{H}:){{0,6}}(?:{H})?::(?:{H}:){{0,6}}{H}?\b",
                 rf"\b(?:{H}:){{6}}{V4}\b", rf"\b(?:{H}:){{0,5}}:{V4}\b", rf"(?<=\[)(?:{H}:){{7}}{H}{E}",
                 rf"(?<=\[)(?:{H}:){{0,6}}(?:{H})?::(?:{H}:){{0,6}}{H}?{E}", rf"(?<=\[)(?:{H}:){{6}}{V4}{E}",
                 rf"(?<=\[)(?:{H}:){{0,5}}:{V4}{E}"])
MAC = r"(?<![\d:A-Fa-f-])(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5})(?![\d:A-Fa-f-])"


def unique(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def valid_v6(s):
    try:
        ipaddress.IPv6Address(s)
        return True
    except ValueError:
        return False


def valid_v4(s):
    try:
        ipaddress.IPv4Address(s)
        return True
    except ValueError:
        return False


def mac_norm(m):
    p = m.replace(":", "").replace("-", "")
    return ":".join(p[i:i + 2] for i in range(0, 12, 2)).lower()


rnd = random.Random(2)
pieces = ["a", "b", "x", "1", "9", "-", ".", ".", "..", "/", ":", "@", "+", " ", "_", "xn--", "com", "co", "uk", "é",
          "(", ")", "?", "&", "=", "#", "http://", "https://", "ftp://", "www.", "2001", "::", "db8", "ffff", "[", "]",
          "1.2.3.4", "%eth0", "00", "aa", "F", "٣", "AS", "CVE-", "2021", "12345", "256", "01"]
ioc_texts = ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 14))) for _ in range(500)]
out["ioc"] = [{
    "text": t,
    "domains": DOMAIN.findall(t),
    "urls": re.findall(URL, t),
    "ipv6": unique(m for m in re.findall(IPV6, t) if valid_v6(m)),
    "ipv4": unique(m for m in re.findall(r"\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b", t) if valid_v4(m)),
    "mac": unique(mac_norm(m) for m in re.findall(MAC, t)),
    "asns": unique(re.findall(r"\bAS\d+\b", t)),
    "cves": unique(re.findall(r"CVE-\d{4}-\d{4,7}", t)),
} for t in ioc_texts]


def yaml_plain(v):
    if isinstance(v, dt.datetime):
        return {"$datetime": str(v)}
    if isinstance(v, dt.date):
        return {"$date": str(v)}
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return {"$float": str(v)}
    if isinstance(v, dict):
        return {str(k): yaml_plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [yaml_plain(x) for x in v]
    return v


yaml_docs = ["a: yes\nb: no\nc: on\nd: off\ne: y\nf: n\ng: True\nh: FALSE",
             "x: 012\ny: 0o12\nz: 0x1F\nw: 0b101\nv: 1_000\nu: 1:20\nt: -1:20:30",
             "f1: 1.5\nf2: 1e3\nf3: 1.0e+3\nf4: .5\nf5: 1:20.5\nf6: .inf\nf7: -.Inf\nf9: 1_0.5",
             "n1: ~\nn2: null\nn3: Null\nn4: NULL\nn5:", "s1: 'quoted'\ns2: \"dq\\n\"\ns3: |\n  lit\n  eral\ns4: >\n  fol\n  ded\n",
             "- 1\n- [2, 3]\n- {a: b}", "k: &a [1, 2]\nl: *a", "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2",
             "a: 1\na: 2", "", "# only comment", "plain", "123", "'123'",
             "date: 2001-12-14\nts: 2001-12-14t21:59:43.10-05:00\nts2: 2001-12-14 21:59:43.10\nts3: 2001-12-15T02:59:43.1Z",
             "bad: [1, 2", "a: 1\n---\nb: 2", "x: 0777\ny: 08\nz: +12\nw: -0"]
out["yaml_load"] = [[d, attempt(lambda: yaml_plain(yaml.safe_load(d)))] for d in yaml_docs]
yaml_values = [{"b": 1, "a": [1, 2], "c": {"d": "e"}}, [1, "a"], [], {}, "hello", 1, None, True, 1.5,
               {"x": "yes", "y": "123", "z": "", "n": None, "t": True, "nested": [[1, 2], [3]]},
               {"k": "a: b", "l": "- x", "m": "#c", "o": " lead", "p": "trail ", "q": "null", "r": "1.5", "s": "08",
                "t": "0x1F", "u": "y", "v": "~"}, [{"a": 1, "b": [{"c": 2}]}], {"list": [], "dict": {}},
               "multi word string", {"key with space": 1}, [[[]]], {"a": [{"b": 1, "c": 2}, {"d": 3}]}, "2021-01-01",
               -0.5]
out["yaml_dump"] = [[v, yaml.dump(v)] for v in yaml_values]

target = pathlib.Path(__file__).with_name("cpython-vectors.txt")
target.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
print(f"wrote {target} ({target.stat().st_size} bytes)")
