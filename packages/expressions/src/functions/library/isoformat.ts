// Python 3.12's datetime.fromisoformat grammar (reference §2.13): calendar and week dates, basic
// and extended forms, any single separator, fractions of any length, Z and ±HH[:MM[:SS[.f]]].
import { FunctionError } from "../function-definition.js";
import { checkDate, checkTime, civilFromDays, daysFromCivil, PyDateTime, type TzInfo, UTC } from "./datetime-values.js";

function invalid(): FunctionError {
  return new FunctionError(
    "invalid isoformat string: expected ISO 8601 such as 2024-01-31, 2024-01-31T12:30:00 or 2024-01-31T12:30:00+00:00",
    "value_error",
  );
}

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

function digits(s: string, start: number, count: number): number {
  const part = s.slice(start, start + count);
  if (part.length !== count || !/^\d+$/.test(part)) throw invalid();
  return Number(part);
}

function separatorIndex(s: string[]): number {
  const len = s.length;
  if (len === 7) return 7;
  if (s[4] === "-") {
    if (s[5] === "W") {
      if (len < 8) throw invalid();
      if (len > 8 && s[8] === "-") {
        if (len === 9) throw invalid();
        if (len > 10 && isDigit(s[10])) return 8;
        return 10;
      }
      return 8;
    }
    return 10;
  }
  if (s[4] === "W") {
    let idx = 7;
    while (idx < len && isDigit(s[idx])) idx++;
    if (idx < 9) return idx;
    return idx % 2 === 0 ? 7 : 8;
  }
  return 8;
}

function isoWeekToDate(year: number, week: number, day: number): [number, number, number] {
  if (week < 1 || week > 53) throw new FunctionError("invalid ISO week number", "value_error");
  if (day < 1 || day > 7) throw new FunctionError("invalid ISO weekday", "value_error");
  const jan4 = daysFromCivil(year, 1, 4);
  const jan4Weekday = (((jan4 + 3) % 7) + 7) % 7;
  if (week === 53) {
    // Only years starting on a Thursday (or leap years starting on Wednesday) have week 53.
    const jan1Weekday = (((daysFromCivil(year, 1, 1) + 3) % 7) + 7) % 7;
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    if (!(jan1Weekday === 3 || (jan1Weekday === 2 && leap)))
      throw new FunctionError("invalid ISO week number", "value_error");
  }
  const days = jan4 - jan4Weekday + (week - 1) * 7 + (day - 1);
  return civilFromDays(days);
}

function parseDate(d: string): [number, number, number] {
  if (![7, 8, 10].includes(d.length)) throw invalid();
  const year = digits(d, 0, 4);
  const hasSep = d[4] === "-";
  let pos = 4 + (hasSep ? 1 : 0);
  if (d[pos] === "W") {
    pos += 1;
    const week = digits(d, pos, 2);
    pos += 2;
    let day = 1;
    if (d.length > pos) {
      if ((d[pos] === "-") !== hasSep) throw invalid();
      pos += hasSep ? 1 : 0;
      day = digits(d, pos, 1);
      pos += 1;
    }
    if (pos !== d.length) throw invalid();
    return isoWeekToDate(year, week, day);
  }
  const month = digits(d, pos, 2);
  pos += 2;
  if ((d[pos] === "-") !== hasSep) throw invalid();
  pos += hasSep ? 1 : 0;
  const day = digits(d, pos, 2);
  if (pos + 2 !== d.length) throw invalid();
  return [year, month, day];
}

interface TimeParts {
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
}

function parseClock(t: string, allowFraction = true): TimeParts {
  const out: TimeParts = { hour: 0, minute: 0, second: 0, microsecond: 0 };
  let pos = 0;
  out.hour = digits(t, pos, 2);
  pos = 2;
  if (pos === t.length) return out;
  const hasSep = t[pos] === ":";
  const units: ("minute" | "second")[] = ["minute", "second"];
  for (const unit of units) {
    if (hasSep) {
      if (t[pos] !== ":") throw invalid();
      pos += 1;
    }
    out[unit] = digits(t, pos, 2);
    pos += 2;
    if (pos === t.length) return out;
    if (unit === "minute" && (t[pos] === ":") !== hasSep) throw invalid();
  }
  if (!allowFraction || (t[pos] !== "." && t[pos] !== ",")) throw invalid();
  pos += 1;
  const frac = t.slice(pos);
  if (frac.length === 0 || !/^\d+$/.test(frac)) throw invalid();
  out.microsecond = Number(frac.slice(0, 6).padEnd(6, "0"));
  return out;
}

function parseTimeAndZone(t: string): [TimeParts, TzInfo | null] {
  const zoneAt = t.search(/[+\-Z]/);
  const clock = zoneAt < 0 ? t : t.slice(0, zoneAt);
  const parts = parseClock(clock);
  if (zoneAt < 0) return [parts, null];
  const zone = t.slice(zoneAt);
  if (zone === "Z") return [parts, UTC];
  if (zone[0] === "Z") throw invalid();
  const sign = zone[0] === "-" ? -1 : 1;
  const off = parseClock(zone.slice(1));
  const seconds = sign * (off.hour * 3600 + off.minute * 60 + off.second + off.microsecond / 1e6);
  if (Math.abs(seconds) >= 86_400) {
    throw new FunctionError("offset must be strictly between -24 and +24 hours", "value_error");
  }
  return [parts, { kind: "fixed", offsetSeconds: seconds }];
}

/** datetime.fromisoformat. */
export function parseIsoDateTime(text: string): PyDateTime {
  const s = [...text];
  if (s.length < 7) throw invalid();
  const at = separatorIndex(s);
  const datePart = s.slice(0, at).join("");
  const timePart = s.slice(at + 1).join("");
  const [year, month, day] = parseDate(datePart);
  checkDate(year, month, day);
  if (s.length > at && timePart === "") throw invalid();
  if (timePart === "")
    return PyDateTime.fromFields({ year, month, day, hour: 0, minute: 0, second: 0, microsecond: 0 }, null);
  const [clock, tz] = parseTimeAndZone(timePart);
  checkTime(clock.hour, clock.minute, clock.second, clock.microsecond);
  return PyDateTime.fromFields({ year, month, day, ...clock }, tz);
}
