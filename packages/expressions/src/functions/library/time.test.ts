import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ExprObject, ExprValue } from "../function-definition.js";
import { PyDateTime, PyTimeDelta } from "./datetime-values.js";
import { mathFunctions } from "./math.js";
import { stringFunctions } from "./strings.js";
import { assertFails, callerFor } from "./test-support.js";
import { timeFunctions } from "./time.js";

const fn = callerFor([...timeFunctions, ...mathFunctions, ...stringFunctions]);
const str = (v: ExprValue) => (v as ExprObject).toPythonString();
const json = (v: ExprValue) => (v as ExprObject).toJSON();
const dt = (...a: number[]) => fn("datetime", ...a);
const utc = (iso: string) => fn("to_datetime", `${iso}Z`);

describe("datetime values", () => {
  it("render with Python's str() and ISO JSON forms", () => {
    assert.equal(str(dt(2021, 1, 1)), "2021-01-01 00:00:00");
    assert.equal(json(dt(2021, 1, 1)), "2021-01-01T00:00:00");
    assert.equal(str(utc("2021-01-01T00:00:00")), "2021-01-01 00:00:00+00:00");
    assert.equal(json(utc("2021-01-01T00:00:00.5")), "2021-01-01T00:00:00.500000+00:00");
    assert.equal((dt(2021, 1, 1) as ExprObject).typeName, "datetime");
  });

  it("timedeltas print like Python and serialise as ISO 8601 durations", () => {
    assert.equal(str(fn("minutes", 5)), "0:05:00");
    assert.equal(str(fn("minutes", -5)), "-1 day, 23:55:00");
    assert.equal(str(fn("hours", 26)), "1 day, 2:00:00");
    assert.equal(str(fn("seconds", 1.5)), "0:00:01.500000");
    assert.equal(str(fn("days", 1.5)), "1 day, 12:00:00");
    assert.equal(json(fn("minutes", 5)), "PT5M");
    assert.equal(json(fn("hours", 26)), "P1DT2H");
    assert.equal(json(fn("seconds", -30)), "-PT30S");
    assert.equal(json(fn("seconds", 0)), "PT0S");
  });

  it("arithmetic: datetime ± timedelta, datetime − datetime, wall-clock time in IANA zones", () => {
    assert.equal(str(fn("add", dt(2024, 1, 1), fn("minutes", 5))), "2024-01-01 00:05:00");
    assert.equal(str(fn("sub", dt(2024, 1, 1), fn("minutes", 15))), "2023-12-31 23:45:00");
    assert.equal(str(fn("sub", dt(2024, 1, 2), dt(2024, 1, 1))), "1 day, 0:00:00");
    assert.equal(str(fn("div", fn("hours", 1), 2)), "0:30:00");
    // Adding 1 day across the DST change keeps the wall clock; the offset is recomputed.
    const ny = fn("set_timezone", "2024-03-09T17:00:00Z", "America/New_York");
    assert.equal(str(ny), "2024-03-09 12:00:00-05:00");
    assert.equal(str(fn("add", ny, fn("days", 1))), "2024-03-10 12:00:00-04:00");
    assertFails(
      () => fn("sub", dt(2024, 1, 1), utc("2024-01-01T00:00:00")),
      "type_error",
      /can't subtract offset-naive and offset-aware datetimes/,
    );
  });
});

describe("time functions", () => {
  it("datetime builds a naive datetime and range-checks it", () => {
    assert.equal(str(dt(2024, 2, 29, 23, 59, 59)), "2024-02-29 23:59:59");
    assertFails(() => dt(2024, 2, 30), "value_error", /day is out of range for month/);
    assertFails(() => dt(0, 1, 1), "value_error", /year 0 is out of range/);
    assertFails(() => fn("datetime", 2024, 1.5, 1), "type_error", /parameter 'month' must be an int, got float/);
  });

  it("*_between return signed floats", () => {
    assert.equal(fn("days_between", dt(2024, 1, 1), dt(2024, 1, 2)), 1);
    assert.equal(fn("days_between", dt(2024, 1, 1, 12), dt(2024, 1, 2)), 0.5);
    assert.equal(fn("days_between", "2024-01-02", "2024-01-01"), -1);
    assert.equal(fn("hours_between", dt(2024, 1, 1), dt(2024, 1, 1, 6)), 6);
    assert.equal(fn("hours_between", "2024-03-10T00:00:00-05:00", "2024-03-10T12:00:00-04:00"), 11);
    assert.equal(fn("minutes_between", dt(2024, 1, 1), dt(2024, 1, 1, 0, 30)), 30);
    assert.equal(fn("seconds_between", dt(2024, 1, 1), dt(2024, 1, 1, 0, 0, 30)), 30);
    assert.equal(fn("weeks_between", dt(2024, 1, 1), dt(2024, 1, 8)), 1);
    assert.equal(fn("weeks_between", dt(2024, 1, 1), dt(2024, 1, 15)), 2);
    // Two values in the same IANA zone subtract by wall clock (Python), ignoring the DST change.
    const a = fn("set_timezone", "2024-03-10T05:00:00Z", "America/New_York");
    const b = fn("set_timezone", "2024-03-10T12:00:00Z", "America/New_York");
    assert.equal(fn("hours_between", a, b), 8);
    assertFails(
      () => fn("seconds_between", "2024-01-01T00:00:00", "2024-01-01T00:01:00Z"),
      "type_error",
      /offset-naive and offset-aware/,
    );
    assertFails(
      () => fn("days_between", 5, dt(2024, 1, 1)),
      "type_error",
      /parameter 'start' must be a datetime or an ISO 8601 str, got int/,
    );
  });

  it("days / hours / minutes / seconds / weeks make timedeltas", () => {
    assert.equal(str(fn("days", 1)), "1 day, 0:00:00");
    assert.equal(str(fn("days", 0.5)), "12:00:00");
    assert.equal(str(fn("hours", 24)), "1 day, 0:00:00");
    assert.equal(str(fn("hours", 1.5)), "1:30:00");
    assert.equal(str(fn("minutes", 60)), "1:00:00");
    assert.equal(str(fn("minutes", 1.5)), "0:01:30");
    assert.equal(str(fn("seconds", 3600)), "1:00:00");
    assert.equal(str(fn("seconds", 90)), "0:01:30");
    assert.equal(str(fn("weeks", 1)), "7 days, 0:00:00");
    assert.equal(str(fn("weeks", 0.5)), "3 days, 12:00:00");
    assert.ok(fn("minutes", 1) instanceof PyTimeDelta);
    assertFails(() => fn("days", "1"), "type_error", /parameter 'x' must be an int or float, got str/);
    assertFails(() => fn("days", 1e12), "value_error", /out of range/);
  });

  it("format_datetime uses Python/glibc strftime", () => {
    assert.equal(fn("format_datetime", dt(2021, 1, 1), "%Y-%m-%d %H:%M:%S"), "2021-01-01 00:00:00");
    assert.equal(fn("format_datetime", dt(2021, 1, 1, 15, 30), "%d/%m/%Y %H:%M"), "01/01/2021 15:30");
    assert.equal(fn("format_datetime", "2021-01-01T00:00:00", "%Y-%m-%d"), "2021-01-01");
    assert.equal(fn("format_datetime", "2021-01-01T00:00:00+00:00", "%Y-%m-%d %H:%M:%S"), "2021-01-01 00:00:00");
    assert.equal(fn("format_datetime", "2021-01-05T03:04:05.123Z", "%f %z %Z %a %j %-d"), "123000 +0000 UTC Tue 005 5");
    assert.equal(
      fn("format_datetime", "2021-01-05T15:04:05+05:30", "%I %p %Z %B %b %A %y %U %W %V %G %u %w %e|%c"),
      "03 PM UTC+05:30 January Jan Tuesday 21 01 01 01 2021 2 2  5|Tue Jan  5 15:04:05 2021",
    );
    assert.equal(
      fn("format_datetime", fn("set_timezone", "2024-01-15T12:00:00Z", "America/New_York"), "%H %Z %z"),
      "07 EST -0500",
    );
    assert.equal(fn("format_datetime", dt(2021, 1, 1), "%z|%Z|%q"), "||%q");
    const zoneName = (iso: string, zone: string) => fn("format_datetime", fn("set_timezone", iso, zone), "%Z");
    assert.equal(zoneName("2024-07-01T12:00:00Z", "Europe/London"), "BST");
    assert.equal(zoneName("2024-01-15T12:00:00Z", "Asia/Kolkata"), "IST");
    assert.equal(zoneName("2024-01-15T12:00:00Z", "America/Sao_Paulo"), "-03");
    // 02:30 on the spring-forward day does not exist: fold=0 keeps the standard offset and name.
    const gap = fn("to_datetime", "2024-03-10T02:30:00") as PyDateTime;
    assert.equal(
      fn("format_datetime", new PyDateTime(gap.wall, { kind: "iana", name: "America/New_York" }), "%H:%M %z %Z"),
      "02:30 -0500 EST",
    );
    assertFails(() => fn("format_datetime", null, "%Y"), "type_error", /parameter 'x'/);
    assertFails(() => fn("format_datetime", dt(2021, 1, 1), "%1000Y".repeat(2000)), "limit_exceeded", /too long/);
    assert.equal(fn("format", "{:%Y-%m-%d %H:%M}", dt(2021, 1, 1, 15, 30)), "2021-01-01 15:30");
    assert.equal(
      fn("format", "{0.year}/{0.month:02d} {1.days}d {1.seconds}s", dt(2021, 3, 1), fn("hours", 25.5)),
      "2021/03 1d 5400s",
    );
    assertFails(() => fn("format", "{0.tzinfo}", dt(2021, 1, 1)), "value_error", /works only for datetime parts/);
    assertFails(() => fn("format_datetime", "1/1/2021", "%Y"), "value_error", /invalid isoformat string/);
  });

  it("from_timestamp gives aware UTC datetimes", () => {
    for (const args of [
      [1609459200, "s"],
      [1609459200000, "ms"],
      ["1609459200", "s"],
    ] as const) {
      assert.equal(str(fn("from_timestamp", ...args)), "2021-01-01 00:00:00+00:00");
    }
    for (const args of [
      [1609459200.5, "s"],
      ["1609459200.5", "s"],
      [1609459200500, "ms"],
    ] as const) {
      assert.equal(str(fn("from_timestamp", ...args)), "2021-01-01 00:00:00.500000+00:00");
    }
    assert.equal(str(fn("from_timestamp", -1.5)), "1969-12-31 23:59:58.500000+00:00");
    assert.equal(str(fn("from_timestamp", 1, "seconds")), "1970-01-01 00:00:01+00:00");
    assertFails(() => fn("from_timestamp", "soon"), "value_error", /not a number/);
    assertFails(() => fn("from_timestamp", 1e20), "value_error", /out of range/);
    assertFails(() => fn("from_timestamp", null), "type_error", /got NoneType/);
  });

  it("get_day_of_week / get_month with formats", () => {
    assert.equal(fn("get_day_of_week", dt(2024, 3, 18), "number"), 0);
    assert.equal(fn("get_day_of_week", dt(2024, 3, 24), "number"), 6);
    assert.equal(fn("get_day_of_week", dt(2024, 3, 18), "full"), "Monday");
    assert.equal(fn("get_day_of_week", dt(2024, 3, 24), "short"), "Sun");
    assert.equal(fn("get_day_of_week", dt(2024, 3, 24)), 6);
    assert.equal(fn("get_month", dt(2024, 12, 1), "number"), 12);
    assert.equal(fn("get_month", dt(2024, 12, 1), "full"), "December");
    assert.equal(fn("get_month", dt(2024, 12, 1), "short"), "Dec");
    assertFails(
      () => fn("get_month", dt(2024, 12, 1), "long"),
      "value_error",
      /format must be 'number', 'full', or 'short'/,
    );
    assertFails(() => fn("get_day_of_week", 7), "type_error", /got int/);
  });

  it("component accessors read the datetime's own wall clock", () => {
    assert.equal(fn("get_day", dt(2024, 3, 31)), 31);
    assert.equal(fn("get_hour", dt(2024, 3, 15, 23)), 23);
    assert.equal(fn("get_minute", dt(2024, 3, 15, 12, 59)), 59);
    assert.equal(fn("get_second", dt(2024, 3, 15, 12, 30, 45)), 45);
    assert.equal(fn("get_year", dt(2024, 3, 15)), 2024);
    assert.equal(fn("get_hour", "2024-03-24T23:00:00-05:00"), 23);
    assertFails(
      () => fn("get_year", null),
      "type_error",
      /parameter 'x' must be a datetime or an ISO 8601 str, got NoneType/,
    );
  });

  it("is_working_hours matches Tracecat's tests", () => {
    const w = (x: ExprValue, ...rest: ExprValue[]) => fn("is_working_hours", x, "09:00:00", "17:00:00", ...rest);
    assert.equal(w(dt(2024, 3, 18, 12, 0)), true);
    assert.equal(w(dt(2024, 3, 18, 8, 0)), false);
    assert.equal(w(dt(2024, 3, 18, 18, 0)), false);
    assert.equal(w(dt(2024, 3, 23, 12, 0)), false);
    assert.equal(w(dt(2024, 3, 23, 12, 0), true), true);
    assert.equal(w(dt(2024, 3, 18, 9, 0)), true);
    assert.equal(w(dt(2024, 3, 18, 17, 0)), true);
    const night = (x: ExprValue) => fn("is_working_hours", x, "22:00:00", "06:00:00");
    assert.equal(night(dt(2024, 3, 18, 23, 0)), true);
    assert.equal(night(dt(2024, 3, 18, 4, 0)), true);
    assert.equal(night(dt(2024, 3, 18, 12, 0)), false);
    assert.equal(w("2024-03-18T04:00:00-05:00"), false);
    assert.equal(w("2024-03-18T10:00:00-05:00"), true);
    assert.equal(w("2024-03-18T12:00:00", false, "America/New_York"), false);
    assert.equal(w("2024-03-18T16:00:00", false, "America/New_York"), true);
    assert.equal(w(utc("2024-03-18T18:00:00"), false, "America/New_York"), true);
    assert.equal(w("2024-03-22T23:00:00-05:00", false, "UTC"), false);
    assert.equal(w("2024-03-22T23:00:00-05:00", true, "UTC"), false);
    assert.equal(fn("is_working_hours", dt(2024, 3, 18, 12), "09:00:00", "17:00"), true);
    assert.equal(w(dt(2024, 3, 23, 12, 0), "false"), true);
    assertFails(
      () => fn("is_working_hours", "2024-03-18T12:00:00", "9", "17:00"),
      "value_error",
      /^time string must be in HH:MM:SS or HH:MM format$/,
    );
    assertFails(
      () => w(dt(2024, 3, 18), false, "utc"),
      "value_error",
      /parameter 'timezone' is not a known IANA time zone/,
    );
  });

  it("now / utcnow / today use the logical clock (2024-06-15T10:30Z in tests)", () => {
    assert.equal(str(fn("now")), "2024-06-15 10:30:00");
    assert.equal(fn("now", true), "2024-06-15T10:30:00");
    assert.equal(fn("now", true, "minutes"), "2024-06-15T10:30");
    assert.equal(str(fn("utcnow")), "2024-06-15 10:30:00+00:00");
    assert.equal(fn("utcnow", true), "2024-06-15T10:30:00+00:00");
    assert.equal(str(fn("today")), "2024-06-15");
    assert.equal(fn("to_isoformat", fn("sub", fn("now"), fn("minutes", 15))), "2024-06-15T10:15:00");
    assertFails(() => fn("now", true, "days"), "value_error", /unknown timespec value/);
  });

  it("wall_clock reads the real clock, not the logical one", () => {
    const before = Date.now();
    const value = fn("wall_clock") as PyDateTime;
    assert.ok(value instanceof PyDateTime && !value.aware);
    assert.ok(Number(value.epochMicros() / 1000n) >= before - 1);
    assert.match(fn("wall_clock", true) as string, /^\d{4}-\d\d-\d\dT/);
  });

  it("parse_datetime follows strptime", () => {
    assert.equal(str(fn("parse_datetime", "2021-01-01 00:00:00", "%Y-%m-%d %H:%M:%S")), "2021-01-01 00:00:00");
    assert.equal(str(fn("parse_datetime", "01/01/2021 15:30", "%d/%m/%Y %H:%M")), "2021-01-01 15:30:00");
    assert.equal(str(fn("parse_datetime", "2023-12-31", "%Y-%m-%d")), "2023-12-31 00:00:00");
    assert.equal(str(fn("parse_datetime", "2021-1-5 3:04", "%Y-%m-%d %H:%M")), "2021-01-05 03:04:00");
    assert.equal(str(fn("parse_datetime", "10:30", "%H:%M")), "1900-01-01 10:30:00");
    assert.equal(str(fn("parse_datetime", "2021-01-05T03:04:05Z", "%Y-%m-%dT%H:%M:%S%z")), "2021-01-05 03:04:05+00:00");
    assert.equal(
      str(fn("parse_datetime", "tue, 05 JAN 21 3:04 pm +05:30", "%a, %d %b %y %I:%M %p %z")),
      "2021-01-05 15:04:00+05:30",
    );
    assertFails(
      () => fn("parse_datetime", "2021-01-01 junk", "%Y-%m-%d"),
      "value_error",
      /does not match the 'format'/,
    );
    assertFails(() => fn("parse_datetime", "2021", "%Q"), "value_error", /bad directive/);
    assertFails(() => fn("parse_datetime", "2023-02-29", "%Y-%m-%d"), "value_error", /day is out of range/);
  });

  it("parse_time accepts HH:MM:SS and HH:MM only", () => {
    assert.equal(str(fn("parse_time", "12:34:56")), "12:34:56");
    assert.equal(str(fn("parse_time", "23:59")), "23:59:00");
    assert.equal(str(fn("parse_time", "12:00")), "12:00:00");
    assert.equal(str(fn("parse_time", "9:5")), "09:05:00");
    for (const bad of [
      "25:00:00",
      "12:60:00",
      "12:00:60",
      "12.00.00",
      "12-00-00",
      "12",
      "12:",
      ":30:00",
      "",
      "12:34:56.5",
      " 12:34",
    ]) {
      assertFails(() => fn("parse_time", bad), "value_error", /HH:MM:SS or HH:MM/);
    }
    assertFails(() => fn("parse_time", 1200), "type_error", /got int/);
  });

  it("set_timezone / unset_timezone", () => {
    const base = utc("2024-01-01T00:00:00");
    assert.equal(str(fn("set_timezone", base, "America/New_York")), "2023-12-31 19:00:00-05:00");
    assert.equal(str(fn("set_timezone", base, "UTC")), "2024-01-01 00:00:00+00:00");
    assert.equal(str(fn("set_timezone", base, "Asia/Tokyo")), "2024-01-01 09:00:00+09:00");
    assert.equal(str(fn("set_timezone", "2024-07-01T00:00:00Z", "America/New_York")), "2024-06-30 20:00:00-04:00");
    assert.equal(str(fn("unset_timezone", "2024-01-01T05:00:00+05:00")), "2024-01-01 05:00:00");
    assert.equal(str(fn("unset_timezone", base)), "2024-01-01 00:00:00");
    assertFails(() => fn("set_timezone", base, "+05:00"), "value_error", /not a known IANA time zone/);
    assertFails(() => fn("set_timezone", base, "Mars/Base"), "value_error", /not a known IANA time zone/);
  });

  it("to_datetime parses ISO 8601 and epoch ints", () => {
    assert.equal(str(fn("to_datetime", 1609459200, "UTC")), "2021-01-01 00:00:00+00:00");
    assert.equal(str(fn("to_datetime", "2021-01-01T00:00:00")), "2021-01-01 00:00:00");
    assert.equal(str(fn("to_datetime", "2021-01-01T00:00:00Z")), "2021-01-01 00:00:00+00:00");
    assert.equal(str(fn("to_datetime", "2021-01-01T00:00:00+00:00")), "2021-01-01 00:00:00+00:00");
    assert.equal(str(fn("to_datetime", "2021-01-01T00:00:00", "UTC")), "2021-01-01 00:00:00+00:00");
    assert.equal(str(fn("to_datetime", "2021-01-01")), "2021-01-01 00:00:00");
    assert.equal(str(fn("to_datetime", "2021-01-01T00:00:00", "Asia/Tokyo")), "2021-01-01 09:00:00+09:00");
    assert.equal(str(fn("to_datetime", "2021-W01-1")), "2021-01-04 00:00:00");
    assert.equal(str(fn("to_datetime", "20210101T123000")), "2021-01-01 12:30:00");
    assert.equal(str(fn("to_datetime", true)), "1970-01-01 00:00:01+00:00");
    assert.equal(str(fn("to_datetime", "2021-01-01T00:00:00", "")), "2021-01-01 00:00:00");
    for (const bad of ["1/1/2021", "2021-02-31T00:00:00", "2021-001", "2021-1-1", "2021-01-01T00:00z", "", "12:00"]) {
      assertFails(() => fn("to_datetime", bad), "value_error", /invalid isoformat string|out of range/);
    }
    assertFails(() => fn("to_datetime", 1609459200.5), "type_error", /ISO 8601 str, an integer timestamp/);
    assertFails(() => fn("to_datetime", null), "type_error", /got NoneType/);
  });

  it("to_isoformat supports timespecs", () => {
    assert.equal(fn("to_isoformat", "2021-01-01T00:00:00Z"), "2021-01-01T00:00:00+00:00");
    assert.equal(fn("to_isoformat", "2021-01-01T00:00:00.5Z"), "2021-01-01T00:00:00.500000+00:00");
    assert.equal(fn("to_isoformat", "2021-01-01T00:00:00.123456", "milliseconds"), "2021-01-01T00:00:00.123");
    assert.equal(fn("to_isoformat", "2021-01-01T00:00:00.999999", "seconds"), "2021-01-01T00:00:00");
    assert.equal(fn("to_isoformat", "2021-01-01T10:20", "hours"), "2021-01-01T10");
    assertFails(() => fn("to_isoformat", "2021-01-01", "weeks"), "value_error", /unknown timespec/);
  });

  it("to_time drops the date and offset", () => {
    for (const x of [
      "2024-03-18T12:34:56",
      "2024-03-18T12:34:56Z",
      "2024-03-18T12:34:56+00:00",
      dt(2024, 3, 18, 12, 34, 56),
    ]) {
      assert.equal(str(fn("to_time", x)), "12:34:56");
    }
    assert.equal(str(fn("to_time", "2024-03-18T12:34:56.789")), "12:34:56.789000");
    for (const bad of ["invalid", "25:00:00"])
      assertFails(() => fn("to_time", bad), "value_error", /invalid isoformat/);
    for (const bad of [123, null]) assertFails(() => fn("to_time", bad), "type_error", /parameter 'x'/);
  });

  it("to_timestamp truncates toward zero", () => {
    assert.equal(fn("to_timestamp", utc("2021-01-01T00:00:00"), "s"), 1609459200);
    assert.equal(fn("to_timestamp", utc("2021-01-01T00:00:00"), "ms"), 1609459200000);
    assert.equal(fn("to_timestamp", "2021-01-01T00:00:00", "s"), 1609459200);
    assert.equal(fn("to_timestamp", "2023-01-01T00:00:00", "ms"), 1672531200000);
    assert.equal(fn("to_timestamp", "1969-12-31T23:59:58.5Z"), -1);
    assert.equal(fn("to_timestamp", "2039-03-25T13:05:57.779Z", "ms"), 2184671157778);
    assertFails(() => fn("to_timestamp", 5), "type_error", /got int/);
  });

  it("windows_filetime counts 100 ns since 1601", () => {
    assert.equal(fn("windows_filetime", "2021-01-01T00:00:00Z"), 132539328000000000);
    assert.equal(fn("windows_filetime", "2021-01-01T05:00:00+05:00"), 132539328000000000);
    assert.equal(fn("windows_filetime", "1601-01-01T00:00:00"), 0);
    assert.equal(BigInt(fn("windows_filetime", "2021-01-01T00:00:00.123456Z") as number), 132539328001234544n);
    assertFails(() => fn("windows_filetime", []), "type_error", /got list/);
  });
});
