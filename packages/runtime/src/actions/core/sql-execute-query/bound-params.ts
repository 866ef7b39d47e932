/**
 * `:name` bound parameters (SQLAlchemy's `text()` syntax) rewritten to each driver's placeholders.
 * A scanner, not a regex, so `::casts`, string literals, quoted identifiers, dollar-quoted bodies
 * and comments are left alone: a `:x` inside any of them is text, not a parameter.
 */
import { CofferError } from "@coffer/core";
import type { SqlFamily } from "./connection-url.js";

export type PlaceholderStyle = "dollar" | "question" | "clickhouse";

export const PLACEHOLDER_STYLES: Readonly<Record<SqlFamily, PlaceholderStyle>> = {
  postgresql: "dollar",
  mysql: "question",
  sqlite: "question",
  clickhouse: "clickhouse",
};

export interface TranslatedQuery {
  sql: string;
  /** Positional values, in placeholder order (for `dollar`, one per distinct name). */
  values: unknown[];
  /** Parameter names in the order they were first used. */
  names: string[];
}

const WORD = /[A-Za-z0-9_]/;

/**
 * `clickhouseType` gives the `{name:Type}` of a value, for the ClickHouse style only.
 * Backslash escapes inside '…' are honoured for MySQL and ClickHouse (their default), and for
 * PostgreSQL's E'…' strings.
 */
export function translateQuery(
  query: string,
  params: Readonly<Record<string, unknown>>,
  family: SqlFamily,
  clickhouseType: (value: unknown, name: string) => string = () => "String",
): TranslatedQuery {
  const style = PLACEHOLDER_STYLES[family];
  const backslashStrings = family === "mysql" || family === "clickhouse";
  const values: unknown[] = [];
  const names: string[] = [];
  const positions = new Map<string, number>();
  let out = "";
  let i = 0;
  const n = query.length;

  const copyQuoted = (quote: string, backslash: boolean): void => {
    // from the opening quote to its close; a doubled quote is an escaped one
    let j = i + 1;
    while (j < n) {
      const c = query[j];
      if (backslash && c === "\\") {
        j += 2;
        continue;
      }
      if (c === quote) {
        if (query[j + 1] === quote) {
          j += 2;
          continue;
        }
        j += 1;
        break;
      }
      j += 1;
    }
    out += query.slice(i, j);
    i = j;
  };

  while (i < n) {
    const c = query[i] as string;
    const next = query[i + 1];
    if (c === "'") {
      const escapeString =
        family === "postgresql" && (query[i - 1] === "E" || query[i - 1] === "e") && !WORD.test(query[i - 2] ?? "");
      copyQuoted("'", backslashStrings || escapeString);
    } else if (c === '"') {
      copyQuoted('"', family === "mysql");
    } else if (c === "`" && family !== "postgresql") {
      copyQuoted("`", false);
    } else if (c === "-" && next === "-") {
      const end = query.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      out += query.slice(i, stop);
      i = stop;
    } else if (c === "#" && family === "mysql") {
      const end = query.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      out += query.slice(i, stop);
      i = stop;
    } else if (c === "/" && next === "*") {
      // PostgreSQL nests block comments; the others end at the first */.
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (query[j] === "*" && query[j + 1] === "/") {
          depth -= 1;
          j += 2;
        } else if (family === "postgresql" && query[j] === "/" && query[j + 1] === "*") {
          depth += 1;
          j += 2;
        } else j += 1;
      }
      out += query.slice(i, j);
      i = j;
    } else if (c === "$" && family === "postgresql" && !WORD.test(query[i - 1] ?? "")) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(query.slice(i));
      if (tag === null) {
        out += c;
        i += 1;
      } else {
        const close = query.indexOf(tag[0], i + tag[0].length);
        const stop = close === -1 ? n : close + tag[0].length;
        out += query.slice(i, stop);
        i = stop;
      }
    } else if (c === "\\" && next === ":") {
      // SQLAlchemy's escape for a literal colon before a word
      out += ":";
      i += 2;
    } else if (c === ":" && next === ":") {
      out += "::";
      i += 2;
      while (query[i] === ":") {
        out += ":";
        i += 1;
      }
    } else if (c === ":" && /[A-Za-z_]/.test(next ?? "") && !WORD.test(query[i - 1] ?? "")) {
      let j = i + 1;
      while (j < n && WORD.test(query[j] as string)) j += 1;
      const name = query.slice(i + 1, j);
      if (query[j] === ":" && query[j + 1] !== ":") {
        // `:a:b` is not a parameter in SQLAlchemy either
        out += query.slice(i, j);
        i = j;
        continue;
      }
      if (!Object.hasOwn(params, name)) {
        throw new CofferError(
          "sql_missing_parameter",
          `The query uses :${name} but bound_params has no ${name}. Add it to bound_params, or write \\:${name} for a literal colon.`,
          { details: { parameter: name } },
        );
      }
      const value = params[name];
      if (!positions.has(name)) names.push(name);
      if (style === "dollar") {
        let position = positions.get(name);
        if (position === undefined) {
          values.push(value);
          position = values.length;
          positions.set(name, position);
        }
        out += `$${position}`;
      } else if (style === "question") {
        positions.set(name, 0);
        values.push(value);
        out += "?";
      } else {
        positions.set(name, 0);
        out += `{${name}:${clickhouseType(value, name)}}`;
      }
      i = j;
    } else {
      out += c;
      i += 1;
    }
  }
  return { sql: out, values, names };
}
