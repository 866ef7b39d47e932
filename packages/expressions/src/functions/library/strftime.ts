// Python's strftime on Linux: Python's own %f/%z/%Z plus glibc's directives and flags
// (`%-d`, `%_H`, `%^a`, `%10Y`…), C locale names.
import { DEFAULT_LIMITS } from "../../limits/limits.js";
import { FunctionError } from "../function-definition.js";
import { civilFromDays, daysFromCivil, formatOffset } from "./calendar.js";

/** What strftime reads from a datetime (PyDateTime has this shape; no import of it needed). */
export interface StrftimeSource {
  readonly fields: {
    readonly year: number;
    readonly month: number;
    readonly day: number;
    readonly hour: number;
    readonly minute: number;
    readonly second: number;
    readonly microsecond: number;
    readonly weekday: number;
    readonly yearDay: number;
  };
  readonly wall: bigint;
  utcOffsetSeconds(): number | null;
  tzName(): string;
}

export const DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
export const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

function isoWeek(year: number, yearDay: number, weekday: number): { year: number; week: number } {
  // Week with the year's first Thursday is week 1 (ISO 8601).
  const thursdayDay = yearDay - weekday + 3;
  const days = daysFromCivil(year, 1, 1) + thursdayDay - 1;
  const [thursdayYear] = civilFromDays(days);
  const firstOfThatYear = daysFromCivil(thursdayYear, 1, 1);
  return { year: thursdayYear, week: Math.floor((days - firstOfThatYear) / 7) + 1 };
}

type Field = { text: string; numeric: boolean; width: number; padChar?: string };

function num(value: number, width: number, padChar = "0"): Field {
  return { text: String(value), numeric: true, width, padChar };
}

function text(value: string): Field {
  return { text: value, numeric: false, width: 0 };
}

function directive(dt: StrftimeSource, c: string): Field | string | undefined {
  const f = dt.fields;
  const hour12 = f.hour % 12 === 0 ? 12 : f.hour % 12;
  const sundayWeekday = (f.weekday + 1) % 7;
  switch (c) {
    case "a":
      return text(DAY_NAMES[f.weekday]?.slice(0, 3) ?? "");
    case "A":
      return text(DAY_NAMES[f.weekday] ?? "");
    case "b":
    case "h":
      return text(MONTH_NAMES[f.month - 1]?.slice(0, 3) ?? "");
    case "B":
      return text(MONTH_NAMES[f.month - 1] ?? "");
    case "c":
      return "%a %b %e %H:%M:%S %Y";
    case "C":
      return num(Math.floor(f.year / 100), 1);
    case "d":
      return num(f.day, 2);
    case "D":
      return "%m/%d/%y";
    case "e":
      return num(f.day, 2, " ");
    case "f":
      return num(f.microsecond, 6);
    case "F":
      return "%Y-%m-%d";
    case "G":
      return num(isoWeek(f.year, f.yearDay, f.weekday).year, 1);
    case "g":
      return num(isoWeek(f.year, f.yearDay, f.weekday).year % 100, 2);
    case "H":
      return num(f.hour, 2);
    case "I":
      return num(hour12, 2);
    case "j":
      return num(f.yearDay, 3);
    case "k":
      return num(f.hour, 2, " ");
    case "l":
      return num(hour12, 2, " ");
    case "m":
      return num(f.month, 2);
    case "M":
      return num(f.minute, 2);
    case "n":
      return text("\n");
    case "p":
      return text(f.hour < 12 ? "AM" : "PM");
    case "P":
      return text(f.hour < 12 ? "am" : "pm");
    case "r":
      return "%I:%M:%S %p";
    case "R":
      return "%H:%M";
    case "s":
      // glibc's mktime reads the broken-down wall clock as local time (UTC on the server).
      return text(String(Number((dt.wall - BigInt(f.microsecond)) / 1_000_000n)));
    case "S":
      return num(f.second, 2);
    case "t":
      return text("\t");
    case "T":
      return "%H:%M:%S";
    case "u":
      return num(f.weekday + 1, 1);
    case "U":
      return num(Math.floor((f.yearDay - 1 + 7 - sundayWeekday) / 7), 2);
    case "V":
      return num(isoWeek(f.year, f.yearDay, f.weekday).week, 2);
    case "w":
      return num(sundayWeekday, 1);
    case "W":
      return num(Math.floor((f.yearDay - 1 + 7 - f.weekday) / 7), 2);
    case "x":
      return "%m/%d/%y";
    case "X":
      return "%H:%M:%S";
    case "y":
      return num(f.year % 100, 2);
    case "Y":
      return num(f.year, 1);
    case "z": {
      const offset = dt.utcOffsetSeconds();
      return text(offset === null ? "" : formatOffset(offset, ""));
    }
    case "Z":
      return text(dt.tzName());
    case "%":
      return text("%");
    default:
      return undefined;
  }
}

const DIRECTIVE = /%([-_0^#]*)(\d*)(?:E(?=[cCxXyY])|O(?=[deHImMSuUVwWy]))?([A-Za-z%])/g;

/** Formats a datetime with Python/glibc strftime directives. */
export function strftime(dt: StrftimeSource, format: string, depth = 0): string {
  let total = format.length;
  return format.replace(DIRECTIVE, (whole, flags: string, widthText: string, c: string) => {
    total += widthText ? Math.min(Number(widthText), 1024) : 32;
    if (total > DEFAULT_LIMITS.maxOutputChars) {
      throw new FunctionError("the formatted text would be too long; shorten the format string", "limit_exceeded");
    }
    const field = directive(dt, c);
    if (field === undefined) return whole;
    if (typeof field === "string") {
      const expanded = depth < 2 ? strftime(dt, field, depth + 1) : field;
      return flags.includes("^") ? expanded.toUpperCase() : expanded;
    }
    let out = field.text;
    const width = widthText ? Number(widthText) : field.width;
    if (flags.includes("-")) {
      // no padding
    } else if (field.numeric) {
      const padChar = flags.includes("_") ? " " : flags.includes("0") ? "0" : (field.padChar ?? "0");
      const negative = out.startsWith("-");
      const digits = negative ? out.slice(1) : out;
      out = (negative ? "-" : "") + digits.padStart(Math.min(width, 1024) - (negative ? 1 : 0), padChar);
    } else if (widthText) {
      out = out.padStart(Math.min(width, 1024), flags.includes("0") ? "0" : " ");
    }
    if (flags.includes("^")) out = out.toUpperCase();
    else if (flags.includes("#")) out = out === out.toUpperCase() ? out.toLowerCase() : out.toUpperCase();
    return out;
  });
}
