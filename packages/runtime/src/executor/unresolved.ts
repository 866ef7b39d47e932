import { CofferError, type RunResolution } from "@coffer/core";
import type { RunNeeds } from "./needs.js";

/**
 * The one error of a run that cannot start: every missing secret, missing key, corrupted version
 * and missing variable at once, each with the command that fixes it. Names only, never values.
 * Returns undefined when nothing required is missing.
 */
export function unresolvedError(
  subject: { action: string } | { command: string },
  environment: string,
  needs: RunNeeds,
  resolution: RunResolution,
): CofferError | undefined {
  const envFlag = `--env ${environment}`;
  const lines: string[] = [];
  const missingSecrets: { secret: string; environment: string; fix: string }[] = [];
  for (const name of resolution.missingSecrets) {
    const need = needs.secrets.get(name);
    if (!need?.required) continue;
    const keys = [...need.keys];
    const typeFlag = need.type && need.type !== "custom" ? ` --type ${need.type}` : "";
    const pairs = keys.length > 0 ? keys.map((k) => `${k}=…`).join(" ") : "KEY=…";
    const fix = `create secret \`${name}\` in environment \`${environment}\`: coffer secrets create ${name} ${envFlag}${typeFlag} ${pairs}`;
    missingSecrets.push({ secret: name, environment, fix });
    lines.push(`secret \`${name}\` does not exist in environment \`${environment}\`; ${fix}`);
  }
  const missingKeys: { secret: string; environment: string; missing: string[]; available: string[]; fix: string }[] =
    [];
  for (const m of resolution.missingKeys) {
    const fix = `add ${m.missing.length === 1 ? "it" : "them"}: coffer secrets update ${m.secret} ${envFlag} ${m.missing.map((k) => `${k}=…`).join(" ")}`;
    missingKeys.push({ secret: m.secret, environment, missing: m.missing, available: m.available, fix });
    lines.push(
      `secret \`${m.secret}\` in environment \`${environment}\` has no key ${m.missing.map((k) => `\`${k}\``).join(", ")} (its keys: ${m.available.join(", ") || "none"}); ${fix}`,
    );
  }
  const corrupted: { secret: string; environment: string; version: number; fix: string }[] = [];
  for (const c of resolution.corrupted) {
    const keys = resolution.secrets.get(c.secret)?.keys ?? [];
    const fix = `re-enter every value: coffer secrets update ${c.secret} ${envFlag} ${keys.map((k) => `${k}=…`).join(" ") || "KEY=…"}`;
    corrupted.push({ secret: c.secret, environment, version: c.version, fix });
    lines.push(
      `secret \`${c.secret}\` in environment \`${environment}\`: version ${c.version} cannot be decrypted (corrupted); ${fix}`,
    );
  }
  const missingVariables: { variable: string; environment: string; fix: string }[] = [];
  for (const name of resolution.missingVariables) {
    const fix = `create variable \`${name}\` in environment \`${environment}\`: coffer vars create ${name} ${envFlag} KEY=VALUE`;
    missingVariables.push({ variable: name, environment, fix });
    lines.push(`variable \`${name}\` does not exist in environment \`${environment}\`; ${fix}`);
  }
  if (lines.length === 0) return undefined;
  const count = lines.length === 1 ? "1 problem" : `${lines.length} problems`;
  const who = "action" in subject ? `Action ${subject.action}` : `Command \`${subject.command}\``;
  return new CofferError(
    "secrets_unresolved",
    `${who} cannot run in environment \`${environment}\` (${count}; it was not started):\n${lines.map((l) => `  - ${l}`).join("\n")}`,
    {
      details: {
        ...subject,
        environment,
        missingSecrets,
        missingKeys,
        corrupted,
        missingVariables,
      },
    },
  );
}
