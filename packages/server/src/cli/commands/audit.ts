import { AUDIT_LIST_DEFAULT_LIMIT, CofferError } from "@coffer/core";
import { type Command, Option } from "commander";
import { type CliContext, table } from "../context.js";

export function registerAuditCommands(program: Command, context: CliContext): void {
  const audit = program.command("audit").description("the tamper-evident audit log");

  audit
    .command("list")
    .description("audit events of the workspace, newest first (names, ids and outcomes; never a value)")
    .addOption(new Option("-w, --workspace <workspace>", "workspace id or name").default("default"))
    .option("--secret <name>", "only events about this secret (name or id)")
    .option("--since <date>", "only events at or after this ISO-8601 date or date-time")
    .option("--limit <n>", `how many events (1–1000, default ${AUDIT_LIST_DEFAULT_LIMIT})`)
    .option("--cursor <cursor>", "continue after a page (its next_cursor)")
    .option("--json", "print JSON: {items, next_cursor}")
    .action(
      async (options: {
        workspace: string;
        secret?: string;
        since?: string;
        limit?: string;
        cursor?: string;
        json?: boolean;
      }) => {
        let limit: number | undefined;
        if (options.limit !== undefined) {
          limit = /^\d{1,4}$/.test(options.limit) ? Number(options.limit) : Number.NaN;
          if (!(limit >= 1 && limit <= 1000)) {
            throw new CofferError(
              "invalid_argument",
              `--limit must be a whole number from 1 to 1000 (got '${options.limit.slice(0, 20)}').`,
            );
          }
        }
        const coffer = await context.coffer();
        const workspaceId = await context.workspaceId({ workspace: options.workspace, env: "default" });
        const page = await coffer.audit.page(workspaceId, {
          ...(options.secret !== undefined ? { secret: options.secret } : {}),
          ...(options.since !== undefined ? { since: options.since } : {}),
          ...(limit !== undefined ? { limit } : {}),
          ...(options.cursor !== undefined ? { cursor: options.cursor } : {}),
        });
        if (options.json) return context.json(page);
        if (page.items.length === 0) return context.out("No audit events.");
        context.out(
          table(
            ["SEQ", "TIME", "ACTOR", "ACTION", "OUTCOME", "TARGET", "ENVIRONMENT"],
            page.items.map((e) => [
              String(e.seq),
              e.occurred_at,
              e.actor,
              e.action,
              e.outcome,
              e.target.name ?? e.target.id ?? "",
              e.environment ?? "",
            ]),
          ),
        );
        if (page.next_cursor) context.note(`More events: run again with --cursor ${page.next_cursor}`);
      },
    );

  audit
    .command("verify")
    .option("--json", "print JSON")
    .description("check the hash chain and its anchor; names the first bad event or a cut tail")
    .action(async (options: { json?: boolean }) => {
      const coffer = await context.coffer();
      const result = await coffer.audit.verify();
      if (options.json) context.json(result);
      else if (result.ok) context.out(`Audit log intact: ${result.count} event(s) verified.`);
      if (!result.ok) {
        throw new CofferError(
          "audit_verification_failed",
          result.problem?.message ?? "The audit log does not verify.",
          {
            status: 409,
            details: { ...result.problem },
          },
        );
      }
    });
}
