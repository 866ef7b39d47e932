import type { Command } from "commander";
import type { CliContext } from "../context.js";

export function registerWorkspacesCommands(program: Command, context: CliContext): void {
  const workspaces = program.command("workspaces").description("create and list workspaces");

  workspaces
    .command("create")
    .argument("<name>", "lowercase letters, digits, '_' and '-'")
    .option("--title <title>", "display name")
    .option("--json", "print JSON")
    .description("create a workspace")
    .action(async (slug: string, options: { title?: string; json?: boolean }) => {
      const coffer = await context.coffer();
      const item = await coffer.workspaces.create(
        { slug, ...(options.title ? { name: options.title } : {}) },
        context.actor(),
      );
      if (options.json) context.json(item);
      else context.out(`Created workspace '${item.slug}' (${item.id}).`);
    });

  workspaces
    .command("list")
    .option("--json", "print JSON")
    .description("list workspaces")
    .action(async (options: { json?: boolean }) => {
      const coffer = await context.coffer();
      const items = await coffer.workspaces.list();
      if (options.json) return context.json(items);
      context.out(
        context.table(
          ["NAME", "ID", "CREATED"],
          items.map((w) => [w.slug, w.id, w.created_at]),
        ),
      );
    });
}
