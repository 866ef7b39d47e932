import { readFileSync } from "node:fs";
import { CofferError, decodeUtf8Value } from "@coffer/core";
import { type Command, Option } from "commander";
import type { CliContext } from "../context.js";

/**
 * Adds --workspace, --env and --json to a command. `envHelp` given: --env has no default and the
 * help says what its absence means (e.g. every environment).
 */
export function withCommonOptions(command: Command, envHelp?: string): Command {
  const env = envHelp
    ? new Option("-e, --env <environment>", envHelp)
    : new Option("-e, --env <environment>", "environment").default("default");
  return command
    .addOption(new Option("-w, --workspace <workspace>", "workspace id or name").default("default"))
    .addOption(env)
    .option("--json", "print JSON (stable shapes, see README)");
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses `--tag k=v` pairs. */
export function parseTags(pairs: string[] | undefined): Record<string, string> | undefined {
  if (!pairs) return undefined;
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CofferError("invalid_argument", `--tag expects name=value (got '${pair.slice(0, 40)}').`);
    tags[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return tags;
}

/** A file's text; unreadable or not UTF-8 is a user error naming `what` and the path, never the content. */
export function readTextFile(path: string, what: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new CofferError(
      "file_unreadable",
      `Cannot read ${what} (${path}): ${(error as NodeJS.ErrnoException).code ?? "error"}.`,
    );
  }
  return decodeUtf8Value(bytes, `${what[0]?.toUpperCase() ?? ""}${what.slice(1)} (${path})`);
}

/**
 * Parses `KEY=VALUE` arguments, split at the first `=`. `KEY=@path` reads a file and `KEY=-`
 * prompts without echo at a terminal, else reads standard input (once). Messages name the key, never the value.
 * Values typed on the command line get a hint about shell history (variables, stored in clear,
 * pass `historyHint: false`).
 */
export async function parseKeyValues(
  args: string[],
  context: CliContext,
  options: { historyHint?: boolean } = {},
): Promise<{ key: string; value: string }[]> {
  let stdinUsed = false;
  const typed: string[] = [];
  const result: { key: string; value: string }[] = [];
  for (const [index, arg] of args.entries()) {
    const eq = arg.indexOf("=");
    if (eq <= 0) {
      throw new CofferError(
        "invalid_argument",
        `Argument ${index + 1} is not KEY=VALUE. Write KEY=value, KEY=@file to read a file, or KEY=- to read standard input.`,
      );
    }
    const key = arg.slice(0, eq);
    const raw = arg.slice(eq + 1);
    if (raw === "-") {
      if (stdinUsed)
        throw new CofferError("invalid_argument", `Only one key can read standard input (${key}=- is the second).`);
      stdinUsed = true;
      result.push({ key, value: await context.secretInput(`Value for ${key} (not shown): `) });
    } else if (raw.startsWith("@")) {
      result.push({ key, value: readTextFile(raw.slice(1), `the file for key ${key}`) });
    } else {
      result.push({ key, value: raw });
      typed.push(key);
    }
  }
  if (typed.length > 0 && options.historyHint !== false) {
    context.note(
      `hint: a value typed on the command line (${typed.join(", ")}) can stay in your shell history; write KEY=- to be prompted (or read standard input) or KEY=@file to read a file.`,
    );
  }
  return result;
}
