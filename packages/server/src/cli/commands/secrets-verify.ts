import { CofferError } from "@coffer/core";
import type { Command } from "commander";
import type { CliContext } from "../context.js";

/** `coffer secrets verify`: the full decrypt that metadata reads never do. */
export function registerSecretsVerify(secrets: Command, context: CliContext): void {
  secrets
    .command("verify")
    .option("--json", "print JSON")
    .description("decrypt every stored version (values are dropped at once) and report the ones that fail")
    .action(async (options: { json?: boolean }) => {
      const coffer = await context.coffer();
      const report = await coffer.secrets.verify(context.actor());
      if (!report.audited) {
        context.note(
          "warning: the audit log refused to record this check (run `coffer audit verify`): is this the store's keyring?",
        );
      }
      if (options.json) context.json(report);
      else if (report.problems.length === 0) {
        context.out(`Checked ${report.checked} version(s): every one decrypts.`);
      } else {
        context.out(
          context.table(
            ["NAME", "ENVIRONMENT", "VERSION", "CURRENT", "PROBLEM"],
            report.problems.map((p) => [
              p.name,
              p.environment,
              String(p.version),
              p.current ? "yes" : "no",
              p.reason === "unknown_kid" ? "its key is not in this keyring" : "does not decrypt (altered or wrong key)",
            ]),
          ),
        );
      }
      if (report.problems.length > 0) {
        throw new CofferError(
          "secrets_corrupted",
          `${report.problems.length} of ${report.checked} version(s) cannot be decrypted; they now show as corrupted. Re-enter the values of each current one to repair it (\`coffer secrets update NAME KEY=…\`).`,
          { status: 409, details: { checked: report.checked, corrupted: report.problems.length } },
        );
      }
    });
}
