import { CofferError } from "@coffer/core";
import type { Command } from "commander";
import type { CliContext } from "../context.js";

export function registerAuditCommands(program: Command, context: CliContext): void {
  const audit = program.command("audit").description("the tamper-evident audit log");

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
