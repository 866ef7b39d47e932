import type { Command } from "commander";
import { type CliContext, table } from "../context.js";

export function registerKeysCommands(program: Command, context: CliContext): void {
  const keys = program.command("keys").description("key-encryption keys: rotation and status");

  keys
    .command("rotate")
    .option("--json", "print JSON")
    .description(
      "re-wrap every data key under the active key (key file: adds a new key first; COFFER_ENCRYPTION_KEYS: put the new key first in every process's variable, rotate, then drop the old key). Resumable.",
    )
    .action(async (options: { json?: boolean }) => {
      const coffer = await context.coffer();
      // Loaded here: no other command pays for the progress bar.
      const { SingleBar } = (await import("cli-progress")).default;
      const bar = new SingleBar({
        format: "re-wrapping data keys [{bar}] {value}/{total}",
        stream: process.stderr,
        noTTYOutput: true,
        notTTYSchedule: 500,
        hideCursor: true,
      });
      let started = false;
      const result = await coffer.keys.rotate(context.actor(), {
        onStart: ({ total, resumed, activeKid }) => {
          if (resumed) context.note(`Resuming an unfinished rotation to key '${activeKid}'.`);
          bar.start(total, 0);
          started = true;
        },
        onBatch: ({ done }) => bar.update(done),
      });
      if (started) bar.stop();
      if (options.json) return context.json(result);
      context.out(
        `${result.addedKey ? `Added key '${result.activeKid}' as the active key. ` : ""}Re-wrapped ${result.rewrapped} data key(s) under '${result.activeKid}'.` +
          (result.unreadable
            ? ` ${result.unreadable} version(s) could not be unwrapped (unknown key or tampered) and were left as they are: see \`coffer keys status\`.`
            : ""),
      );
    });

  keys
    .command("prune")
    .option("--json", "print JSON: {active_kid, removed, kept}")
    .description(
      "remove retired key ids from the key file once nothing is wrapped by them (run `keys rotate` first; never removes the active key)",
    )
    .action(async (options: { json?: boolean }) => {
      const coffer = await context.coffer();
      const result = await coffer.keys.prune(context.actor());
      if (options.json) {
        return context.json({ active_kid: result.activeKid, removed: result.removed, kept: result.kept });
      }
      context.out(
        result.removed.length === 0
          ? `Nothing to prune: the key file holds only the active key '${result.activeKid}'.`
          : `Removed retired key(s) ${result.removed.map((k) => `'${k}'`).join(", ")} from the key file; '${result.activeKid}' stays active.`,
      );
    });

  keys
    .command("status")
    .option("--json", "print JSON")
    .description("versions per key id; an old key can be dropped once it wraps nothing")
    .action(async (options: { json?: boolean }) => {
      const coffer = await context.coffer();
      const rows = await coffer.keys.status();
      if (options.json) return context.json(rows);
      context.out(
        table(
          ["KID", "VERSIONS", "ACTIVE", "KNOWN"],
          rows.map((r) => [r.kid, String(r.versions), r.active ? "yes" : "", r.known ? "yes" : "NO (key missing)"]),
        ),
      );
    });
}
