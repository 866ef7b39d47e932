import { CofferError, type VariableItem } from "@coffer/core";
import type { Command } from "commander";
import type { CliContext, CommonOptions } from "../context.js";
import { collect, parseKeyValues, parseTags, withCommonOptions } from "./options.js";

interface VarWriteOptions extends CommonOptions {
  description?: string;
  tag?: string[];
  unset?: string[];
}

/**
 * `KEY=text` (also `KEY=@file`, `KEY=-`) sets a string; `KEY:=json` sets any JSON value
 * (`PORT:=8443`, `HOSTS:='["a","b"]'`).
 */
async function parseValues(args: string[], context: CliContext): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const [index, arg] of args.entries()) {
    const typed = /^([^=:]+):=(.*)$/s.exec(arg);
    if (typed) {
      const key = typed[1] ?? "";
      try {
        values[key] = JSON.parse(typed[2] ?? "");
      } catch {
        throw new CofferError(
          "invalid_argument",
          `Argument ${index + 1} (${key}:=…) is not valid JSON. Use KEY=text for a string.`,
        );
      }
      continue;
    }
    for (const { key, value } of await parseKeyValues([arg], context, { historyHint: false })) values[key] = value;
  }
  return values;
}

function render(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function describeVariable(item: VariableItem): string {
  const lines = [
    `name:        ${item.name}`,
    `id:          ${item.id}`,
    `environment: ${item.environment}`,
    `description: ${item.description ?? ""}`,
    `tags:        ${Object.entries(item.tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`,
    `updated:     ${item.updated_at} by ${item.updated_by}`,
    "values:",
    ...Object.entries(item.values).map(([k, v]) => `  ${k} = ${render(v)}`),
  ];
  return lines.join("\n");
}

export function registerVarsCommands(program: Command, context: CliContext): void {
  const vars = program
    .command("vars")
    .description("workspace variables: non-secret values read as VARS.<name>.<key> in expressions, stored in clear");

  async function byName(name: string, options: CommonOptions) {
    const coffer = await context.coffer();
    const workspaceId = await context.workspaceId(options);
    const item = await coffer.variables.getByName(workspaceId, name, options.env);
    return { coffer, workspaceId, item };
  }

  withCommonOptions(vars.command("create").argument("<name>").argument("<KEY=VALUE...>"))
    .description("create a variable; KEY:=json for numbers, booleans, lists and objects")
    .option("-d, --description <text>")
    .option("--tag <name=value>", "a tag (repeatable)", collect)
    .action(async (name: string, pairs: string[], options: VarWriteOptions) => {
      const coffer = await context.coffer();
      const workspaceId = await context.workspaceId(options);
      const tags = parseTags(options.tag);
      const item = await coffer.variables.create(
        workspaceId,
        {
          name,
          environment: options.env,
          values: await parseValues(pairs, context),
          ...(options.description !== undefined ? { description: options.description } : {}),
          ...(tags ? { tags } : {}),
        },
        context.actor(),
      );
      if (options.json) context.json(item);
      else
        context.out(
          `Created variable '${item.name}' in environment '${item.environment}' with keys ${Object.keys(item.values).join(", ")}.`,
        );
    });

  withCommonOptions(vars.command("list"), "only this environment (default: every environment)")
    .description("list variables")
    .action(async (options: CommonOptions, command: Command) => {
      const coffer = await context.coffer();
      const workspaceId = await context.workspaceId(options);
      const envGiven = command.getOptionValueSource("env") === "cli";
      const items = await coffer.variables.list(workspaceId, envGiven ? { environment: options.env } : {});
      if (options.json) return context.json(items);
      if (items.length === 0) return context.out("No variables.");
      context.out(
        context.table(
          ["NAME", "ENVIRONMENT", "KEYS", "UPDATED"],
          items.map((v) => [v.name, v.environment, Object.keys(v.values).join(","), v.updated_at]),
        ),
      );
    });

  withCommonOptions(vars.command("get").argument("<name>"))
    .description("show a variable and its values")
    .action(async (name: string, options: CommonOptions) => {
      const { item } = await byName(name, options);
      if (options.json) context.json(item);
      else context.out(describeVariable(item));
    });

  withCommonOptions(vars.command("update").argument("<name>").argument("[KEY=VALUE...]"))
    .description("set keys (others are kept), remove keys with --unset, change description/tags")
    .option("--unset <KEY>", "remove a key (repeatable)", collect)
    .option("-d, --description <text>")
    .option("--tag <name=value>", "replace the tags (repeatable)", collect)
    .action(async (name: string, pairs: string[], options: VarWriteOptions) => {
      const { coffer, workspaceId, item } = await byName(name, options);
      const given = await parseValues(pairs, context);
      const unset = new Set(options.unset ?? []);
      for (const key of unset) {
        if (!(key in item.values)) {
          throw new CofferError("key_not_found", `Variable '${item.name}' has no key '${key}'.`, { status: 404 });
        }
      }
      const changed = pairs.length > 0 || unset.size > 0;
      const values = Object.fromEntries(
        Object.entries({ ...item.values, ...given }).filter(([key]) => !unset.has(key)),
      );
      const tags = parseTags(options.tag);
      const updated = await coffer.variables.update(
        workspaceId,
        item.id,
        {
          ...(changed ? { values } : {}),
          ...(options.description !== undefined ? { description: options.description } : {}),
          ...(tags ? { tags } : {}),
        },
        context.actor(),
      );
      if (options.json) context.json(updated);
      else
        context.out(
          `Updated variable '${updated.name}' in '${updated.environment}': keys ${Object.keys(updated.values).join(", ")}.`,
        );
    });

  withCommonOptions(vars.command("delete").argument("<name>"))
    .description("delete a variable")
    .action(async (name: string, options: CommonOptions) => {
      const { coffer, workspaceId, item } = await byName(name, options);
      await coffer.variables.delete(workspaceId, item.id, context.actor());
      if (options.json) context.json({ deleted: true, id: item.id, name: item.name, environment: item.environment });
      else context.out(`Deleted variable '${item.name}' from environment '${item.environment}'.`);
    });
}
