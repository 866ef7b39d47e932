// Time related group (reference §2.13). Logical time comes from context.now(); naive datetimes
// are UTC wherever Tracecat assumes the server's local zone (its containers run in UTC).

import { truthy } from "../../values/types.js";
import type { ExprValue, FunctionContext, FunctionDefinition } from "../function-definition.js";
import { FunctionError } from "../function-definition.js";
import { expectInt, expectString, optionalArg, param, typeError, valueError } from "./args.js";
import {
  microsToSeconds,
  PyDate,
  PyDateTime,
  PyTime,
  PyTimeDelta,
  parseTimespec,
  resolveZone,
  type TzInfo,
  US_PER_SECOND,
  UTC,
} from "./datetime-values.js";
import { parseIsoDateTime } from "./isoformat.js";
import { DAY_NAMES, MONTH_NAMES, strftime } from "./strftime.js";
import { strptime } from "./strptime.js";

const GROUP = "Time related";

/** A datetime argument: a datetime value or an ISO 8601 string (through to_datetime). */
export function asDateTime(value: ExprValue | undefined, fn: string, name: string): PyDateTime {
  if (value instanceof PyDateTime) return value;
  if (typeof value === "string") return parseIsoDateTime(value);
  throw typeError(fn, name, "a datetime or an ISO 8601 str", value);
}

function zoneArg(value: ExprValue | undefined, fn: string, name: string): TzInfo | null {
  if (value === undefined || value === null) return null;
  const text = expectString(fn, name, value);
  return text === "" ? null : resolveZone(text, name);
}

function epochMicrosFromSeconds(seconds: number): bigint {
  if (!Number.isFinite(seconds) || Math.abs(seconds) > 253_402_300_800) {
    throw new FunctionError("timestamp out of range for a datetime (years 1 to 9999)", "value_error");
  }
  if (Number.isInteger(seconds)) return BigInt(seconds) * US_PER_SECOND;
  // Python rounds to the nearest microsecond, ties to even.
  const whole = Math.floor(seconds);
  const frac = seconds - whole;
  let micros = Math.round(frac * 1e6);
  if (Math.abs(frac * 1e6 - Math.trunc(frac * 1e6)) === 0.5 && micros % 2 !== 0) micros -= 1;
  return BigInt(whole) * US_PER_SECOND + BigInt(micros);
}

/** Python's to_datetime(x, timezone). */
export function toDateTime(x: ExprValue | undefined, tzArg: ExprValue | undefined, fn = "to_datetime"): PyDateTime {
  let dt: PyDateTime;
  if (x instanceof PyDateTime) dt = x;
  else if (typeof x === "boolean" || (typeof x === "number" && Number.isInteger(x))) {
    dt = PyDateTime.fromEpochMicros(epochMicrosFromSeconds(Number(x)), UTC);
  } else if (typeof x === "string") dt = parseIsoDateTime(x);
  else {
    throw typeError(fn, "x", "an ISO 8601 str, an integer timestamp in seconds or a datetime", x);
  }
  const tz = zoneArg(tzArg, fn, "timezone");
  return tz ? dt.withZone(tz) : dt;
}

function logicalNow(context: FunctionContext): PyDateTime {
  return PyDateTime.fromEpochMicros(BigInt(Math.trunc(context.now())) * 1000n, null);
}

function maybeIso(dt: PyDateTime, args: readonly ExprValue[], fn: string): ExprValue {
  const asIso = optionalArg(args, 0);
  if (asIso === undefined || !truthy(asIso)) return dt;
  const spec = optionalArg(args, 1);
  return dt.isoformat("T", parseTimespec(spec === undefined ? "auto" : expectString(fn, "timespec", spec)));
}

function between(name: string, unitSeconds: number, unit: string): FunctionDefinition {
  return {
    name,
    group: GROUP,
    description: `Signed number of ${unit} from start to end (a float; strings are parsed as ISO 8601).`,
    params: [param("start", "datetime | str"), param("end", "datetime | str")],
    returns: "float",
    call(args) {
      const start = asDateTime(args[0], name, "start");
      const end = asDateTime(args[1], name, "end");
      const delta = end.applyOperator("-", start, false) as PyTimeDelta;
      return delta.totalSeconds() / unitSeconds;
    },
  };
}

function duration(name: string, unitSeconds: number, unit: string): FunctionDefinition {
  return {
    name,
    group: GROUP,
    description: `A timedelta of the given number of ${unit} (fractions and negatives allowed).`,
    params: [param("x", "int")],
    returns: "timedelta",
    call(args) {
      const x = args[0];
      const n = typeof x === "boolean" ? Number(x) : x;
      if (typeof n !== "number") throw typeError(name, "x", "an int or float", x);
      return PyTimeDelta.fromUnits(n, unitSeconds);
    },
  };
}

function accessor(name: string, what: string, pick: (dt: PyDateTime) => number): FunctionDefinition {
  return {
    name,
    group: GROUP,
    description: `The ${what} of a datetime, in its own wall clock.`,
    params: [param("x", "datetime | str")],
    returns: "int",
    call: (args) => pick(asDateTime(args[0], name, "x")),
  };
}

function namedFormat(fn: string, value: ExprValue | undefined): "number" | "full" | "short" {
  if (value === undefined) return "number";
  if (value === "number" || value === "full" || value === "short") return value;
  throw valueError(fn, "format must be 'number', 'full', or 'short'");
}

function parseTime(text: string): PyTime {
  const m = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?$/.exec(text);
  if (m) {
    const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
    if (h <= 23 && mi <= 59 && s <= 59) return PyTime.fromFields(h, mi, s, 0);
  }
  throw new FunctionError("time string must be in HH:MM:SS or HH:MM format", "value_error");
}

export const timeFunctions: FunctionDefinition[] = [
  {
    name: "datetime",
    group: GROUP,
    description: "A naive datetime from year, month, day and optional hour, minute, second.",
    params: [
      param("year", "int"),
      param("month", "int"),
      param("day", "int"),
      param("hour", "int", { optional: true }),
      param("minute", "int", { optional: true }),
      param("second", "int", { optional: true }),
    ],
    returns: "datetime",
    call(args) {
      const names = ["year", "month", "day", "hour", "minute", "second"];
      const [year, month, day, hour = 0, minute = 0, second = 0] = args.map((a, i) =>
        expectInt("datetime", names[i] as string, a),
      );
      return PyDateTime.fromFields(
        { year: year as number, month: month as number, day: day as number, hour, minute, second, microsecond: 0 },
        null,
      );
    },
  },
  between("days_between", 86_400, "days"),
  duration("days", 86_400, "days"),
  {
    name: "format_datetime",
    group: GROUP,
    description: "Formats a datetime with Python strftime codes (%Y-%m-%d %H:%M:%S, %a, %z, %-d…).",
    params: [param("x", "datetime | str"), param("format", "str")],
    returns: "str",
    call(args) {
      const format = expectString("format_datetime", "format", args[1]);
      const x = args[0];
      if (x instanceof PyDate) return strftime(x.atMidnight(), format);
      return strftime(asDateTime(x, "format_datetime", "x"), format);
    },
  },
  {
    name: "from_timestamp",
    group: GROUP,
    description: "An aware UTC datetime from epoch seconds (or milliseconds with unit 'ms').",
    params: [param("x", "float | int | str"), param("unit", "str", { optional: true })],
    returns: "datetime",
    call(args) {
      const x = args[0];
      let seconds: number;
      if (typeof x === "number" || typeof x === "boolean") seconds = Number(x);
      else if (typeof x === "string" && /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(x))
        seconds = Number(x.trim());
      else if (typeof x === "string") throw valueError("from_timestamp", "parameter 'x' is a str that is not a number");
      else throw typeError("from_timestamp", "x", "an int, float or numeric str", x);
      const unitArg = optionalArg(args, 1);
      const unit = unitArg === undefined ? "s" : expectString("from_timestamp", "unit", unitArg);
      if (unit === "ms") seconds /= 1000;
      return PyDateTime.fromEpochMicros(epochMicrosFromSeconds(seconds), UTC);
    },
  },
  {
    name: "get_day_of_week",
    group: GROUP,
    description: "Day of the week: 0 (Monday) … 6 (Sunday), or its name with format 'full' / 'short'.",
    params: [param("x", "datetime | str"), param("format", "str", { optional: true })],
    returns: "int | str",
    call(args) {
      const dt = asDateTime(args[0], "get_day_of_week", "x");
      const format = namedFormat("get_day_of_week", optionalArg(args, 1));
      const weekday = dt.fields.weekday;
      const name = DAY_NAMES[weekday] as string;
      return format === "number" ? weekday : format === "full" ? name : name.slice(0, 3);
    },
  },
  accessor("get_day", "day of the month (1-31)", (dt) => dt.fields.day),
  accessor("get_hour", "hour (0-23)", (dt) => dt.fields.hour),
  accessor("get_minute", "minute (0-59)", (dt) => dt.fields.minute),
  {
    name: "get_month",
    group: GROUP,
    description: "Month 1-12, or its name with format 'full' / 'short'.",
    params: [param("x", "datetime | str"), param("format", "str", { optional: true })],
    returns: "int | str",
    call(args) {
      const dt = asDateTime(args[0], "get_month", "x");
      const format = namedFormat("get_month", optionalArg(args, 1));
      const month = dt.fields.month;
      const name = MONTH_NAMES[month - 1] as string;
      return format === "number" ? month : format === "full" ? name : name.slice(0, 3);
    },
  },
  accessor("get_second", "second (0-59)", (dt) => dt.fields.second),
  accessor("get_year", "year", (dt) => dt.fields.year),
  between("hours_between", 3600, "hours"),
  duration("hours", 3600, "hours"),
  {
    name: "is_working_hours",
    group: GROUP,
    description: "True if the time falls between start and end (HH:MM[:SS]) on a weekday, optionally in a time zone.",
    params: [
      param("x", "datetime | str"),
      param("start", "str"),
      param("end", "str"),
      param("include_weekends", "bool", { optional: true }),
      param("timezone", "str | None", { optional: true }),
    ],
    returns: "bool",
    call(args) {
      let dt = asDateTime(args[0], "is_working_hours", "x");
      const start = parseTime(expectString("is_working_hours", "start", args[1]));
      const end = parseTime(expectString("is_working_hours", "end", args[2]));
      const weekends = truthy(optionalArg(args, 3) ?? false);
      const tz = zoneArg(optionalArg(args, 4), "is_working_hours", "timezone");
      if (tz) dt = dt.withZone(tz);
      if (dt.fields.weekday >= 5 && !weekends) return false;
      const f = dt.fields;
      const t = ((f.hour * 60 + f.minute) * 60 + f.second) * 1e6 + f.microsecond;
      if (start.micros <= end.micros) return start.micros <= t && t <= end.micros;
      return t >= start.micros || t <= end.micros;
    },
  },
  between("minutes_between", 60, "minutes"),
  duration("minutes", 60, "minutes"),
  {
    name: "now",
    group: GROUP,
    description: "The run's logical time as a naive datetime (UTC), or its ISO string when as_isoformat is true.",
    params: [param("as_isoformat", "bool", { optional: true }), param("timespec", "str", { optional: true })],
    returns: "datetime | str",
    call: (args, context) => maybeIso(logicalNow(context), args, "now"),
  },
  {
    name: "parse_datetime",
    group: GROUP,
    description: "Parses text with a Python strptime format (%Y-%m-%d %H:%M:%S, %z for an offset).",
    params: [param("x", "str"), param("format", "str")],
    returns: "datetime",
    call: (args) =>
      strptime(expectString("parse_datetime", "x", args[0]), expectString("parse_datetime", "format", args[1])),
  },
  {
    name: "parse_time",
    group: GROUP,
    description: "Parses HH:MM:SS or HH:MM into a time of day.",
    params: [param("x", "str")],
    returns: "time",
    call: (args) => parseTime(expectString("parse_time", "x", args[0])),
  },
  between("seconds_between", 1, "seconds"),
  duration("seconds", 1, "seconds"),
  {
    name: "set_timezone",
    group: GROUP,
    description: "Converts a datetime to an IANA time zone (same instant, new wall clock); naive input is UTC.",
    params: [param("x", "datetime | str"), param("timezone", "str")],
    returns: "datetime",
    call(args) {
      const dt = asDateTime(args[0], "set_timezone", "x");
      const tz = resolveZone(expectString("set_timezone", "timezone", args[1]), "timezone");
      return dt.withZone(tz);
    },
  },
  {
    name: "to_datetime",
    group: GROUP,
    description: "A datetime from an ISO 8601 str, epoch seconds (int) or a datetime, optionally converted to a zone.",
    params: [param("x", "Any"), param("timezone", "str | None", { optional: true })],
    returns: "datetime",
    call: (args) => toDateTime(args[0], optionalArg(args, 1)),
  },
  {
    name: "to_isoformat",
    group: GROUP,
    description: "ISO 8601 text of a datetime (offset as +HH:MM; timespec auto, hours … microseconds).",
    params: [param("x", "datetime | str"), param("timespec", "str", { optional: true })],
    returns: "str",
    call(args) {
      const dt = asDateTime(args[0], "to_isoformat", "x");
      const spec = optionalArg(args, 1);
      return dt.isoformat(
        "T",
        parseTimespec(spec === undefined ? "auto" : expectString("to_isoformat", "timespec", spec)),
      );
    },
  },
  {
    name: "to_time",
    group: GROUP,
    description: "The time of day of a datetime (offset dropped).",
    params: [param("x", "datetime | str")],
    returns: "time",
    call(args) {
      const f = asDateTime(args[0], "to_time", "x").fields;
      return PyTime.fromFields(f.hour, f.minute, f.second, f.microsecond);
    },
  },
  {
    name: "to_timestamp",
    group: GROUP,
    description: "Epoch seconds (or milliseconds with unit 'ms') of a datetime, truncated; naive is UTC.",
    params: [param("x", "datetime | str"), param("unit", "str", { optional: true })],
    returns: "int",
    call(args) {
      const dt = asDateTime(args[0], "to_timestamp", "x");
      const unitArg = optionalArg(args, 1);
      const unit = unitArg === undefined ? "s" : expectString("to_timestamp", "unit", unitArg);
      const seconds = microsToSeconds(dt.epochMicros());
      return Math.trunc(unit === "ms" ? seconds * 1000 : seconds);
    },
  },
  {
    name: "today",
    group: GROUP,
    description: "The date of the run's logical time (UTC).",
    params: [],
    returns: "date",
    call(_args, context) {
      const f = logicalNow(context).fields;
      return PyDate.fromFields(f.year, f.month, f.day);
    },
  },
  {
    name: "unset_timezone",
    group: GROUP,
    description: "Drops the time zone, keeping the wall clock (a naive datetime).",
    params: [param("x", "datetime | str")],
    returns: "datetime",
    call: (args) => asDateTime(args[0], "unset_timezone", "x").naive(),
  },
  {
    name: "utcnow",
    group: GROUP,
    description: "The run's logical time as an aware UTC datetime, or its ISO string when as_isoformat is true.",
    params: [param("as_isoformat", "bool", { optional: true }), param("timespec", "str", { optional: true })],
    returns: "datetime | str",
    call: (args, context) =>
      maybeIso(PyDateTime.fromEpochMicros(BigInt(Math.trunc(context.now())) * 1000n, UTC), args, "utcnow"),
  },
  {
    name: "wall_clock",
    group: GROUP,
    description: "The real current time (not the logical time) as a naive UTC datetime.",
    params: [param("as_isoformat", "bool", { optional: true }), param("timespec", "str", { optional: true })],
    returns: "datetime | str",
    call: (args) => maybeIso(PyDateTime.fromEpochMicros(BigInt(Date.now()) * 1000n, null), args, "wall_clock"),
  },
  between("weeks_between", 604_800, "weeks"),
  duration("weeks", 604_800, "weeks"),
  {
    name: "windows_filetime",
    group: GROUP,
    description: "Windows FILETIME: 100-nanosecond intervals since 1601-01-01 UTC (naive is UTC).",
    params: [param("x", "datetime | str")],
    returns: "int",
    call(args) {
      const dt = asDateTime(args[0], "windows_filetime", "x");
      // Tracecat goes through float seconds, losing sub-second precision the same way.
      const seconds = microsToSeconds(dt.epochMicros() + 11_644_473_600n * US_PER_SECOND);
      return Math.trunc(seconds * 1e7);
    },
  },
];
