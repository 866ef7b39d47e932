import { Badge, Button, Card, Code, Group, List, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, type Secret, unwrap, type Whoami } from "../../api/client";
import { can } from "../../roles";
import { CopyText } from "./copy";
import { expression, isSecretType, SECRET_TYPES, TYPE_LABELS } from "./rules";

export const PAGE_SIZE = 50;

export function StatusBadges({ secret }: { secret: Secret }) {
  return (
    <>
      {secret.status === "corrupted" && (
        <Badge color="red" variant="filled">
          corrupted
        </Badge>
      )}
      {secret.expiry.state === "expired" && (
        <Badge color="red.9" variant="filled">
          expired
        </Badge>
      )}
      {secret.expiry.state === "expiring" && secret.expiry.days_left !== null && (
        <Badge color="yellow" variant="filled" autoContrast>
          expires in {secret.expiry.days_left} {secret.expiry.days_left === 1 ? "day" : "days"}
        </Badge>
      )}
    </>
  );
}

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

function Facts({ secret }: { secret: Secret }) {
  const keys = Object.entries(secret.metadata.keys ?? {});
  const certs = secret.metadata.certificates ?? [];
  if (keys.length === 0 && certs.length === 0) return null;
  return (
    <List size="xs" spacing={2} listStyleType="none">
      {keys.map(([key, f]) => (
        <List.Item key={key}>
          <Text size="xs" span>
            {key}: {f.type} {f.bits} bit{f.curve ? ` ${f.curve}` : ""} ({f.format})
            {f.fingerprint ? (
              <>
                {" · "}
                <span className="coffer-mono">{f.fingerprint}</span>
              </>
            ) : null}
          </Text>
        </List.Item>
      ))}
      {certs.map((c) => (
        <List.Item key={`${c.key}-${c.index}`}>
          <Text size="xs" span>
            {c.key}
            {c.index > 0 ? ` #${c.index + 1}` : ""}: subject {c.subject}, issuer {c.issuer}, notAfter {c.notAfter}
            {c.isCA ? " (CA)" : ""} · <span className="coffer-mono">{c.fingerprint256}</span>
          </Text>
        </List.Item>
      ))}
    </List>
  );
}

export interface InventoryActions {
  onEdit: (secret: Secret) => void;
  onHistory: (secret: Secret) => void;
  onDelete: (secret: Secret) => void;
}

function SecretGroup({
  name,
  items,
  me,
  actions,
}: {
  name: string;
  items: Secret[];
  me: Whoami;
  actions: InventoryActions;
}) {
  const first = items[0]!;
  const types = [...new Set(items.map((s) => s.type))];
  return (
    <Card
      withBorder
      padding="sm"
      component="section"
      aria-labelledby={`secret-${name}`}
      data-testid={`secret-group-${name}`}
    >
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Group gap="xs">
          <Title order={3} size="h4" id={`secret-${name}`} className="coffer-mono">
            {name}
          </Title>
          {types.map((t) => (
            <Badge key={t} variant="outline">
              {isSecretType(t) ? TYPE_LABELS[t] : t}
            </Badge>
          ))}
        </Group>
        <Text size="xs" c="dimmed">
          {items.length} {items.length === 1 ? "environment" : "environments"}
        </Text>
      </Group>
      {first.description && (
        <Text size="sm" mt={4}>
          {first.description}
        </Text>
      )}
      <Stack gap="xs" mt="xs">
        {items.map((s) => (
          <Card key={s.id} withBorder padding="xs" radius="sm" data-testid={`secret-${s.name}-${s.environment}`}>
            <Group justify="space-between" gap="xs" wrap="wrap" align="flex-start">
              <Stack gap={4} style={{ minWidth: 0, flex: "1 1 280px" }}>
                <Group gap={6} wrap="wrap">
                  <Badge variant="light" color="gray" aria-label={`Environment ${s.environment}`}>
                    {s.environment}
                  </Badge>
                  <StatusBadges secret={s} />
                  {Object.entries(s.tags).map(([k, v]) => (
                    <Badge key={k} variant="dot" color="grape">
                      {k}={v}
                    </Badge>
                  ))}
                </Group>
                {s.description && s.description !== first.description && <Text size="sm">{s.description}</Text>}
                <Table withRowBorders={false} verticalSpacing={2} horizontalSpacing={4} fz="sm">
                  <Table.Tbody>
                    {s.keys.map((key) => (
                      <Table.Tr key={key}>
                        <Table.Td className="coffer-mono">{key}</Table.Td>
                        <Table.Td>
                          <Group gap={2} wrap="nowrap">
                            <Code className="coffer-mono" fz="xs">
                              {expression(s.name, key)}
                            </Code>
                            <CopyText text={expression(s.name, key)} label={`Copy ${expression(s.name, key)}`} />
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
                <Facts secret={s} />
                <Text size="xs" c="dimmed">
                  Last change {when(s.updated_at)} by {s.updated_by} · version {s.version} of {s.version_count}
                  {s.expires_at ? ` · expires ${s.expires_at.slice(0, 10)}` : ""}
                </Text>
              </Stack>
              <Group gap={6}>
                {can(me.role, "write") && (
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => actions.onEdit(s)}
                    aria-label={`Edit ${s.name} in ${s.environment}`}
                  >
                    Edit
                  </Button>
                )}
                <Button
                  size="xs"
                  variant="subtle"
                  onClick={() => actions.onHistory(s)}
                  aria-label={`History of ${s.name} in ${s.environment}`}
                >
                  History
                </Button>
                {can(me.role, "delete") && (
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    onClick={() => actions.onDelete(s)}
                    aria-label={`Delete ${s.name} in ${s.environment}`}
                  >
                    Delete
                  </Button>
                )}
              </Group>
            </Group>
          </Card>
        ))}
      </Stack>
    </Card>
  );
}

export function Inventory({
  me,
  environments,
  actions,
}: {
  me: Whoami;
  environments: string[];
  actions: InventoryActions;
}) {
  const [environment, setEnvironment] = useState<string | null>(null);
  const [type, setType] = useState<string | null>(null);
  const [text, setText] = useState("");
  // Cursors of the pages before this one: server-side pagination, one page in memory.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const prefix = text.trim();
  const page = useQuery({
    queryKey: ["secrets", me.workspace.slug, environment, type, prefix, cursor],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace}/secrets", {
          params: {
            path: { workspace: me.workspace.slug },
            query: {
              limit: PAGE_SIZE,
              ...(environment ? { environment } : {}),
              ...(type ? { type } : {}),
              ...(prefix ? { prefix } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    placeholderData: (previous) => previous,
  });
  const reset = () => setCursors([]);
  const groups = new Map<string, Secret[]>();
  for (const s of page.data?.items ?? []) {
    const list = groups.get(s.name) ?? [];
    list.push(s);
    groups.set(s.name, list);
  }
  return (
    <Stack gap="sm">
      <Group gap="sm" align="flex-end" wrap="wrap" role="search" aria-label="Filter secrets">
        <TextInput
          label="Name starts with"
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            reset();
          }}
          spellCheck={false}
          w={{ base: "100%", sm: 220 }}
        />
        <Select
          label="Environment"
          placeholder="All environments"
          data={environments}
          value={environment}
          onChange={(v) => {
            setEnvironment(v);
            reset();
          }}
          clearable
          w={{ base: "100%", sm: 200 }}
        />
        <Select
          label="Type"
          placeholder="All types"
          data={SECRET_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))}
          value={type}
          onChange={(v) => {
            setType(v);
            reset();
          }}
          clearable
          w={{ base: "100%", sm: 220 }}
        />
      </Group>
      {page.error && (
        <Text className="coffer-bad" role="alert">
          {page.error.message}
        </Text>
      )}
      {page.data && groups.size === 0 && (
        <Text c="dimmed" role="status">
          {prefix || environment || type ? "No secret matches these filters." : "No secrets yet."}
        </Text>
      )}
      {[...groups].map(([name, items]) => (
        <SecretGroup key={name} name={name} items={items} me={me} actions={actions} />
      ))}
      <Group justify="space-between">
        <Button
          variant="default"
          size="xs"
          disabled={cursors.length === 0}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          Previous page
        </Button>
        <Text size="sm" aria-live="polite">
          Page {cursors.length + 1}
          {page.isFetching ? " · loading…" : ""}
        </Text>
        <Button
          variant="default"
          size="xs"
          disabled={!page.data?.next_cursor}
          onClick={() => page.data?.next_cursor && setCursors((c) => [...c, page.data!.next_cursor!])}
        >
          Next page
        </Button>
      </Group>
    </Stack>
  );
}
