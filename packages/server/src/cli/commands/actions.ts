import type { ActionEntry, RegistryLoadError } from "@coffer/runtime";
import { isOAuthDeclaration, type SecretDeclaration } from "@coffer/sdk/secret-types";
import type { Command } from "commander";
import type { CliContext } from "../context.js";

function declarationText(d: SecretDeclaration): string {
  if (isOAuthDeclaration(d)) return `oauth:${d.provider_id} (${d.grant_type})${d.optional ? "?" : ""}`;
  const keys = [...(d.keys ?? []), ...(d.optional_keys ?? []).map((k) => `${k}?`)];
  const type = d.secret_type && d.secret_type !== "custom" ? `:${d.secret_type}` : "";
  return `${d.name}${type}${keys.length ? `[${keys.join(",")}]` : ""}${d.optional ? "?" : ""}`;
}

function entryJson(e: ActionEntry) {
  return {
    id: e.id,
    kind: e.kind,
    title: e.title,
    description: e.description,
    ...(e.displayGroup !== undefined ? { display_group: e.displayGroup } : {}),
    ...(e.kind !== "builtin" ? { file: e.file } : {}),
    secrets: e.secrets,
    args_schema: e.argsSchema,
  };
}

function errorText(e: RegistryLoadError): string {
  return `${e.file}${e.field ? ` (${e.field})` : ""}: ${e.message} [${e.code}]`;
}

/** `coffer actions …` (also `coffer action …`); returns the group so other commands can join it. */
export function registerActionsCommands(program: Command, context: CliContext): Command {
  const actions = program
    .command("actions")
    .alias("action")
    .description("the actions of the registry: built-ins and the custom ones of COFFER_REGISTRY_PATH");

  actions
    .command("list")
    .option("--json", "print JSON: { actions, errors }")
    .description("list every action with its kind and declared secrets, and the files that did not load")
    .action(async (options: { json?: boolean }) => {
      // Loaded here, so no other command pays for the runtime.
      const { openRuntime } = await import("../../runtime-context.js");
      const runtime = await openRuntime(context.config(), { warn: (m) => context.note(`warning: ${m}`) });
      try {
        const { registry } = runtime;
        if (options.json) {
          context.json({ actions: registry.list().map(entryJson), errors: registry.errors });
          return;
        }
        const list = registry.list();
        context.out(
          list.length
            ? context.table(
                ["ACTION", "KIND", "SECRETS", "TITLE"],
                list.map((e) => [e.id, e.kind, e.secrets.map(declarationText).join(" ") || "-", e.title]),
              )
            : "No actions.",
        );
        if (registry.errors.length) {
          context.out(`\n${registry.errors.length} load error(s):`);
          for (const e of registry.errors) context.out(`  ${errorText(e)}`);
        }
      } finally {
        await runtime.close();
      }
    });

  return actions;
}
