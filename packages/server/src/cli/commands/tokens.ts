import { CofferError, parseRole, type TokenItem } from "@coffer/core";
import { type Command, Option } from "commander";
import type { CliContext } from "../context.js";

interface TokenOptions {
  workspace: string;
  json?: boolean;
}

function withWorkspace(command: Command): Command {
  return command
    .addOption(new Option("-w, --workspace <workspace>", "workspace id or name").default("default"))
    .option("--json", "print JSON");
}

function defaultName(): string {
  return `cli-${new Date().toISOString().replace(/[-:T]/g, "").replace(/\..*$/, "")}`;
}

export function registerTokensCommands(program: Command, context: CliContext): void {
  const tokens = program.command("tokens").description("API tokens: bound to one workspace, with a role");

  withWorkspace(tokens.command("create"))
    .description("create a token and print it once (only its SHA-256 is stored)")
    .requiredOption("-r, --role <role>", "viewer | editor | admin")
    .option("-n, --name <name>", "a name to recognise it by (default cli-<time>)")
    .action(async (options: TokenOptions & { role: string; name?: string }) => {
      const role = parseRole(options.role);
      const coffer = await context.coffer();
      const workspaceId = await context.workspaceId({ workspace: options.workspace, env: "default" });
      const { token, item } = await coffer.tokens.create(
        workspaceId,
        { role, name: options.name ?? defaultName() },
        context.actor(),
      );
      if (options.json) return context.json({ token, item });
      context.out(token);
      context.note(
        `Created ${item.role} token '${item.name}' (${item.id}) for workspace '${options.workspace}'. It is shown only this once: store it now.`,
      );
    });

  withWorkspace(tokens.command("list"))
    .description("list active tokens (never the tokens themselves)")
    .action(async (options: TokenOptions) => {
      const coffer = await context.coffer();
      const workspaceId = await context.workspaceId({ workspace: options.workspace, env: "default" });
      const items = await coffer.tokens.list(workspaceId);
      if (options.json) return context.json(items);
      if (items.length === 0) return context.out("No tokens.");
      context.out(
        context.table(
          ["NAME", "ROLE", "ID", "CREATED", "BY"],
          items.map((t) => [t.name, t.role, t.id, t.created_at, t.created_by]),
        ),
      );
    });

  withWorkspace(tokens.command("revoke").argument("<token>", "token id or name"))
    .description("revoke a token at once")
    .action(async (ref: string, options: TokenOptions) => {
      const coffer = await context.coffer();
      const workspaceId = await context.workspaceId({ workspace: options.workspace, env: "default" });
      const items = await coffer.tokens.list(workspaceId);
      const item = pick(items, ref);
      await coffer.tokens.revoke(workspaceId, item.id, context.actor());
      if (options.json) context.json({ revoked: true, id: item.id, name: item.name });
      else context.out(`Revoked token '${item.name}' (${item.id}).`);
    });
}

function pick(items: TokenItem[], ref: string): TokenItem {
  const byId = items.find((t) => t.id === ref);
  if (byId) return byId;
  const byName = items.filter((t) => t.name === ref);
  if (byName.length === 1 && byName[0]) return byName[0];
  if (byName.length > 1) {
    throw new CofferError(
      "ambiguous_token",
      `${byName.length} active tokens are named '${ref}'. Revoke by id (see \`coffer tokens list\`).`,
      { status: 409 },
    );
  }
  throw new CofferError("token_not_found", `No active token '${ref.slice(0, 80)}' in this workspace.`, {
    status: 404,
  });
}
