import { CofferError, isCofferError, validateKeyName } from "@coffer/core";
import type { Command } from "commander";
import type { CliContext, CommonOptions } from "../context.js";
import { collect, parseTags, readTextFile, withCommonOptions } from "./options.js";

/** The 1-based line where `key` is assigned in a dotenv file (its last assignment wins, as in dotenv). */
function lineOf(text: string, key: string): number | undefined {
  const escaped = key.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
  const pattern = new RegExp(`^\\s*(?:export\\s+)?${escaped}\\s*[=:]`);
  let found: number | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    if (pattern.test(line)) found = index + 1;
  });
  return found;
}

/** Reads a dotenv file into key/value pairs, refusing key names Coffer does not allow (by name and line). */
export async function readDotenvFile(path: string): Promise<{ key: string; value: string }[]> {
  const text = readTextFile(path, "the file to import");
  // Loaded here: no other command pays for the dotenv parser.
  const { parse } = (await import("dotenv")).default;
  const parsed = parse(text);
  const keys: { key: string; value: string }[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    try {
      validateKeyName(key);
    } catch (error) {
      if (!isCofferError(error)) throw error;
      const line = lineOf(text, key);
      throw new CofferError(
        error.code,
        `${path}${line ? `, line ${line}` : ""}: ${error.message} Rename it in the file and import again.`,
        { details: { ...error.details, file: path, ...(line ? { line } : {}) } },
      );
    }
    keys.push({ key, value });
  }
  if (keys.length === 0) {
    throw new CofferError(
      "no_keys",
      `${path} holds no KEY=value lines (dotenv syntax: KEY=value, # comments, quotes, export KEY=value).`,
      { details: { file: path } },
    );
  }
  return keys;
}

/** `coffer secrets import FILE.env --name N`: one custom secret holding the file's keys. */
export function registerSecretsImport(secrets: Command, context: CliContext): void {
  withCommonOptions(secrets.command("import").argument("<file>"))
    .description(
      "create one custom secret from a dotenv file (comments, quotes, escapes, `export ` prefixes, as the dotenv package parses them)",
    )
    .requiredOption("-n, --name <name>", "name of the secret to create")
    .option("-d, --description <text>")
    .option("--tag <name=value>", "a tag (repeatable)", collect)
    .action(async (file: string, options: CommonOptions & { name: string; description?: string; tag?: string[] }) => {
      const keys = await readDotenvFile(file);
      const tags = parseTags(options.tag);
      const coffer = await context.coffer();
      const workspaceId = await context.workspaceId(options);
      const item = await coffer.secrets.create(
        workspaceId,
        {
          name: options.name,
          environment: options.env,
          keys,
          type: "custom",
          ...(options.description !== undefined ? { description: options.description } : {}),
          ...(tags ? { tags } : {}),
        },
        context.actor(),
      );
      if (options.json) context.json(item);
      else
        context.out(
          `Imported ${item.keys.length} key(s) from ${file} into secret '${item.name}' in environment '${item.environment}': ${item.keys.join(", ")}.`,
        );
    });
}
