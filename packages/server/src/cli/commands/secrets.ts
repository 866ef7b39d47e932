import { CofferError, type SecretItem } from "@coffer/core";
import type { Command } from "commander";
import type { CliContext, CommonOptions } from "../context.js";
import { collect, parseKeyValues, parseTags, withCommonOptions } from "./options.js";
import { registerSecretsCheck } from "./secrets-check.js";
import { registerSecretsImport } from "./secrets-import.js";
import { registerSecretsVerify } from "./secrets-verify.js";

interface WriteOptions extends CommonOptions {
  type?: string;
  description?: string;
  tag?: string[];
  expiresAt?: string;
  unset?: string[];
}

/** `expired`, `expires in N days` (within 30 days), `expires today`, or the days left. */
export function expiryText(item: Pick<SecretItem, "expiry">): string {
  const { state, days_left: days } = item.expiry;
  if (state === "expired") return "expired";
  if (state === "expiring") return days === 0 ? "expires today" : `expires in ${days} day${days === 1 ? "" : "s"}`;
  return `${days} days left`;
}

function describeSecret(item: SecretItem): string {
  const lines = [
    `name:        ${item.name}`,
    `id:          ${item.id}`,
    `type:        ${item.type}`,
    `environment: ${item.environment}`,
    `status:      ${item.status}${item.status === "corrupted" ? " (cannot be decrypted: re-enter every value to repair)" : ""}`,
    `keys:        ${item.keys.join(", ")}`,
    `version:     ${item.version} (${item.version_count} kept)`,
    `description: ${item.description ?? ""}`,
    `tags:        ${Object.entries(item.tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ")}`,
    `expires_at:  ${item.expires_at ? `${item.expires_at} (${expiryText(item)})` : "never"}`,
    `updated:     ${item.updated_at} by ${item.updated_by}`,
  ];
  for (const [key, facts] of Object.entries(item.metadata.keys ?? {})) {
    lines.push(
      `${key}: ${facts.type}${facts.bits ? ` ${facts.bits} bits` : ""}${facts.fingerprint ? ` ${facts.fingerprint}` : ""}`,
    );
  }
  for (const c of item.metadata.certificates ?? []) {
    lines.push(`certificate: ${c.subject} (issuer ${c.issuer}) valid ${c.notBefore} → ${c.notAfter}`);
  }
  return lines.join("\n");
}

export function registerSecretsCommands(program: Command, context: CliContext): void {
  const secrets = program.command("secrets").description("create and manage secrets (values are never printed)");

  async function byName(name: string, options: CommonOptions) {
    const coffer = await context.coffer();
    const workspaceId = await context.workspaceId(options);
    const item = await coffer.secrets.getByName(workspaceId, name, options.env);
    return { coffer, workspaceId, item };
  }

  withCommonOptions(secrets.command("create").argument("<name>").argument("<KEY=VALUE...>"))
    .description("create a secret; KEY=@file reads a file, KEY=- reads standard input")
    .option("-t, --type <type>", "custom | ssh_key | mtls | ca_cert", "custom")
    .option("-d, --description <text>")
    .option("--tag <name=value>", "a tag (repeatable)", collect)
    .option("--expires-at <date>", "ISO-8601 expiry (certificates set it by themselves)")
    .action(async (name: string, pairs: string[], options: WriteOptions) => {
      const coffer = await context.coffer();
      const workspaceId = await context.workspaceId(options);
      const tags = parseTags(options.tag);
      const item = await coffer.secrets.create(
        workspaceId,
        {
          name,
          environment: options.env,
          keys: await parseKeyValues(pairs, context),
          ...(options.type ? { type: options.type } : {}),
          ...(options.description !== undefined ? { description: options.description } : {}),
          ...(tags ? { tags } : {}),
          ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
        },
        context.actor(),
      );
      if (options.json) context.json(item);
      else
        context.out(
          `Created secret '${item.name}' (${item.type}) in environment '${item.environment}' with keys ${item.keys.join(", ")}.`,
        );
    });

  withCommonOptions(secrets.command("list"), "only this environment (default: every environment)")
    .description("list secrets: names, keys and facts, never values")
    .option("-t, --type <type>", "only this type")
    .option("-p, --prefix <prefix>", "only names starting with this")
    .action(async (options: CommonOptions & { type?: string; prefix?: string }) => {
      const coffer = await context.coffer();
      const workspaceId = await context.workspaceId(options);
      const envGiven = options.env !== undefined;
      const filter = {
        limit: 1000,
        ...(envGiven ? { environment: options.env } : {}),
        ...(options.type ? { type: options.type } : {}),
        ...(options.prefix ? { prefix: options.prefix } : {}),
      };
      // Every page; --json prints whole items, the table only a list line's facts (a cheaper read).
      const all = async <T>(read: (cursor?: string) => Promise<{ items: T[]; next_cursor: string | null }>) => {
        const items: T[] = [];
        let cursor: string | undefined;
        do {
          const page = await read(cursor);
          items.push(...page.items);
          cursor = page.next_cursor ?? undefined;
        } while (cursor);
        return items;
      };
      if (options.json)
        return context.json(
          await all((cursor) => coffer.secrets.list(workspaceId, { ...filter, ...(cursor ? { cursor } : {}) })),
        );
      const items = await all((cursor) =>
        coffer.secrets.listSummaries(workspaceId, { ...filter, ...(cursor ? { cursor } : {}) }),
      );
      if (items.length === 0) return context.out("No secrets.");
      context.out(
        context.table(
          ["NAME", "ENVIRONMENT", "TYPE", "KEYS", "VERSION", "STATUS", "EXPIRES"],
          items.map((i) => [
            i.name,
            i.environment,
            i.type,
            i.keys.join(","),
            String(i.version),
            i.status,
            i.expires_at ? `${i.expires_at.slice(0, 10)} (${expiryText(i)})` : "",
          ]),
        ),
      );
    });

  withCommonOptions(secrets.command("show").argument("<name>"))
    .description("show one secret's facts (never its values)")
    .action(async (name: string, options: CommonOptions) => {
      const { item } = await byName(name, options);
      if (options.json) context.json(item);
      else context.out(describeSecret(item));
    });

  withCommonOptions(secrets.command("update").argument("<name>").argument("[KEY=VALUE...]"))
    .description("set keys (others are kept), remove keys with --unset, change description/tags/expiry")
    .option("--unset <KEY>", "remove a key (repeatable)", collect)
    .option("-d, --description <text>")
    .option("--tag <name=value>", "replace the tags (repeatable)", collect)
    .option("--expires-at <date>", "ISO-8601 expiry; 'none' clears it")
    .action(async (name: string, pairs: string[], options: WriteOptions) => {
      const { coffer, workspaceId, item } = await byName(name, options);
      const given = await parseKeyValues(pairs, context);
      const unset = new Set(options.unset ?? []);
      const keys =
        given.length || unset.size
          ? [
              ...item.keys
                .filter((k) => !unset.has(k) && !given.some((g) => g.key === k))
                .map((key) => ({ key, value: null })),
              ...given,
            ]
          : undefined;
      if (keys) {
        // keep the stored key order, new keys last
        keys.sort((a, b) => rank(item.keys, a.key) - rank(item.keys, b.key));
      }
      const tags = parseTags(options.tag);
      const updated = await coffer.secrets.update(
        workspaceId,
        item.id,
        {
          ...(keys ? { keys } : {}),
          ...(options.description !== undefined ? { description: options.description } : {}),
          ...(tags ? { tags } : {}),
          ...(options.expiresAt ? { expiresAt: options.expiresAt === "none" ? null : options.expiresAt } : {}),
        },
        context.actor(),
      );
      if (options.json) context.json(updated);
      else
        context.out(
          `Updated secret '${updated.name}' in '${updated.environment}': version ${updated.version}, keys ${updated.keys.join(", ")}.`,
        );
    });

  withCommonOptions(secrets.command("delete").argument("<name>"))
    .description("delete a secret and all its versions")
    .action(async (name: string, options: CommonOptions) => {
      const { coffer, workspaceId, item } = await byName(name, options);
      await coffer.secrets.delete(workspaceId, item.id, context.actor());
      if (options.json) context.json({ deleted: true, id: item.id, name: item.name, environment: item.environment });
      else context.out(`Deleted secret '${item.name}' from environment '${item.environment}'.`);
    });

  withCommonOptions(secrets.command("versions").argument("<name>"))
    .description("list a secret's versions (who, when, which keys)")
    .action(async (name: string, options: CommonOptions) => {
      const { coffer, workspaceId, item } = await byName(name, options);
      const versions = await coffer.secrets.listVersions(workspaceId, item.id);
      if (options.json) return context.json(versions);
      context.out(
        context.table(
          ["VERSION", "CREATED", "BY", "KEYS", ""],
          versions.map((v) => [
            String(v.number),
            v.created_at,
            v.created_by,
            v.keys.join(","),
            v.current ? "current" : "",
          ]),
        ),
      );
    });

  withCommonOptions(secrets.command("restore").argument("<name>").argument("<version>"))
    .description("make an old version current again (as a new version)")
    .action(async (name: string, version: string, options: CommonOptions) => {
      const number = Number(version);
      const { coffer, workspaceId, item } = await byName(name, options);
      if (!Number.isInteger(number) || number < 1) {
        throw new CofferError(
          "invalid_argument",
          `Version must be a positive whole number (got '${version.slice(0, 20)}').`,
        );
      }
      const restored = await coffer.secrets.restore(workspaceId, item.id, number, context.actor());
      if (options.json) context.json(restored);
      else context.out(`Restored version ${number} of '${restored.name}' as version ${restored.version}.`);
    });
  // After the everyday commands, so `coffer secrets --help` lists create, list, show… first.
  registerSecretsImport(secrets, context);
  registerSecretsCheck(secrets, context);
  registerSecretsVerify(secrets, context);
}

function rank(order: string[], key: string): number {
  const i = order.indexOf(key);
  return i === -1 ? order.length : i;
}
