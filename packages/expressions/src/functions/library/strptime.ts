// Python's datetime.strptime (the _strptime module's rules): each directive becomes a regex
// fragment, the whole string must match case-insensitively, missing fields default to
// 1900-01-01 00:00:00. Matching runs on RE2 so a hostile format cannot backtrack forever.
import { RE2JS } from "re2js";
import { FunctionError } from "../function-definition.js";
import { checkDate, civilFromDays, daysFromCivil, PyDateTime, type TzInfo } from "./datetime-values.js";
import { DAY_NAMES, MONTH_NAMES } from "./strftime.js";

const alternatives = (names: string[]) => names.map((n) => n.toLowerCase()).join("|");

const FRAGMENTS: Record<string, string> = {
  d: "3[01]|[12]\\d|0[1-9]|[1-9]| [1-9]",
  f: "[0-9]{1,6}",
  H: "2[0-3]|[0-1]\\d|\\d",
  I: "1[0-2]|0[1-9]|[1-9]",
  G: "\\d\\d\\d\\d",
  j: "36[0-6]|3[0-5]\\d|[12]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9]",
  m: "1[0-2]|0[1-9]|[1-9]",
  M: "[0-5]\\d|\\d",
  S: "6[0-1]|[0-5]\\d|\\d",
  U: "5[0-3]|[0-4]\\d|\\d",
  w: "[0-6]",
  u: "[1-7]",
  V: "5[0-3]|0[1-9]|[1-4]\\d|\\d",
  y: "\\d\\d",
  Y: "\\d\\d\\d\\d",
  z: "[+-]\\d\\d:?[0-5]\\d(?::?[0-5]\\d(?:\\.\\d{1,6})?)?|Z",
  A: alternatives(DAY_NAMES),
  a: alternatives(DAY_NAMES.map((d) => d.slice(0, 3))),
  B: alternatives(MONTH_NAMES),
  b: alternatives(MONTH_NAMES.map((m) => m.slice(0, 3))),
  p: "am|pm",
  Z: "utc|gmt",
  W: "5[0-3]|[0-4]\\d|\\d",
  "%": "%",
};

// Composite directives expand into others, as in _strptime's LocaleTime for the C locale.
const COMPOSITES: Record<string, string> = {
  c: "%a %b %d %H:%M:%S %Y",
  x: "%m/%d/%y",
  X: "%H:%M:%S",
};

function escapeLiteral(ch: string): string {
  return /[\\^$.|?*+()[\]{}]/.test(ch) ? `\\${ch}` : ch;
}

function formatError(): FunctionError {
  return new FunctionError(
    "the 'format' string has a bad directive; use Python strptime codes such as %Y-%m-%d %H:%M:%S",
    "value_error",
  );
}

function compile(format: string): { regex: RE2JS; names: string[] } {
  const names: string[] = [];
  let pattern = "";
  const expanded = format.replace(/%([cxX])/g, (_m, c: string) => COMPOSITES[c] ?? "");
  for (let i = 0; i < expanded.length; i++) {
    const ch = expanded[i] as string;
    if (ch === "%") {
      const d = expanded[i + 1];
      i++;
      if (d === undefined) throw formatError();
      const fragment = FRAGMENTS[d];
      if (fragment === undefined) throw formatError();
      if (d === "%") {
        pattern += "%";
        continue;
      }
      if (names.includes(d)) throw new FunctionError("a directive appears twice in the 'format' string", "value_error");
      names.push(d);
      pattern += `(${fragment})`;
    } else if (/\s/.test(ch)) {
      pattern += "\\s+";
      while (i + 1 < expanded.length && /\s/.test(expanded[i + 1] as string)) i++;
    } else {
      pattern += escapeLiteral(ch);
    }
  }
  return { regex: RE2JS.compile(`^(?:${pattern})$`, RE2JS.CASE_INSENSITIVE), names };
}

/** Python datetime.strptime(text, format). Messages never quote the text. */
export function strptime(text: string, format: string): PyDateTime {
  if (format.length > 1000)
    throw new FunctionError("the 'format' string is too long (at most 1000 characters)", "value_error");
  const { regex, names } = compile(format);
  const m = regex.matcher(text);
  if (!m.matches()) {
    throw new FunctionError(
      "the text does not match the 'format' string (or has unconverted data left)",
      "value_error",
    );
  }
  const v = new Map<string, string>();
  names.forEach((name, i) => {
    v.set(name, m.group(i + 1) ?? "");
  });
  const get = (k: string) => v.get(k);
  let year = 1900;
  let month = 1;
  let day = 1;
  let hour = 0;
  const minute = Number(get("M") ?? 0);
  const second = Number(get("S") ?? 0);
  const microsecond = get("f") !== undefined ? Number((get("f") as string).padEnd(6, "0")) : 0;
  if (get("Y") !== undefined) year = Number(get("Y"));
  else if (get("y") !== undefined) {
    const y = Number(get("y"));
    year = y <= 68 ? 2000 + y : 1900 + y;
  }
  if (get("m") !== undefined) month = Number(get("m"));
  if (get("B") !== undefined) month = MONTH_NAMES.findIndex((n) => n.toLowerCase() === get("B")?.toLowerCase()) + 1;
  if (get("b") !== undefined)
    month = MONTH_NAMES.findIndex((n) => n.slice(0, 3).toLowerCase() === get("b")?.toLowerCase()) + 1;
  if (get("d") !== undefined) day = Number((get("d") as string).trim());
  if (get("H") !== undefined) hour = Number(get("H"));
  if (get("I") !== undefined) {
    const h = Number(get("I"));
    const pm = get("p")?.toLowerCase() === "pm";
    hour = get("p") === undefined ? (h === 12 ? 0 : h) : pm ? (h === 12 ? 12 : h + 12) : h === 12 ? 0 : h;
  }
  let weekday: number | undefined;
  if (get("A") !== undefined) weekday = DAY_NAMES.findIndex((n) => n.toLowerCase() === get("A")?.toLowerCase());
  if (get("a") !== undefined)
    weekday = DAY_NAMES.findIndex((n) => n.slice(0, 3).toLowerCase() === get("a")?.toLowerCase());
  if (get("w") !== undefined) weekday = (Number(get("w")) + 6) % 7;
  if (get("u") !== undefined) weekday = Number(get("u")) - 1;
  const julian = get("j") !== undefined ? Number(get("j")) : undefined;
  if (julian !== undefined) {
    const days = daysFromCivil(year, 1, 1) + julian - 1;
    [year, month, day] = civilFromDays(days);
  } else if (weekday !== undefined && (get("U") !== undefined || get("W") !== undefined)) {
    const weekStartsMonday = get("W") !== undefined;
    const week = Number(get("W") ?? get("U"));
    const jan1 = daysFromCivil(year, 1, 1);
    const jan1Weekday = (((jan1 + 3) % 7) + 7) % 7;
    const firstWeekStart = weekStartsMonday ? (7 - jan1Weekday) % 7 : (6 - jan1Weekday + 7) % 7;
    const offsetInWeek = weekStartsMonday ? weekday : (weekday + 1) % 7;
    const dayOfYear = week === 0 ? offsetInWeek - (7 - firstWeekStart) : firstWeekStart + (week - 1) * 7 + offsetInWeek;
    [year, month, day] = civilFromDays(jan1 + dayOfYear);
  }
  let tz: TzInfo | null = null;
  const z = get("z");
  if (z !== undefined) {
    if (z.toUpperCase() === "Z") tz = { kind: "fixed", offsetSeconds: 0 };
    else {
      const sign = z.startsWith("-") ? -1 : 1;
      const body = z.slice(1).replace(/:/g, "");
      const seconds = Number(body.slice(0, 2)) * 3600 + Number(body.slice(2, 4)) * 60 + Number(body.slice(4, 6) || 0);
      tz = { kind: "fixed", offsetSeconds: sign * seconds };
    }
  }
  checkDate(year, month, day);
  if (second > 59) throw new FunctionError("second must be in 0..59", "value_error");
  return PyDateTime.fromFields({ year, month, day, hour, minute, second, microsecond }, tz);
}
