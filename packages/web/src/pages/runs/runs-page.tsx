import { Anchor, Badge, Card, Code, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { ApiError, type Whoami } from "../../api/client";
import { Link } from "../../router";
import { getToken } from "../../session";

// Until the runs API is merged these shapes follow the issue; replaced by the OpenAPI types then.
interface RunSummary {
  id: string;
  status: string;
  workflow?: string;
  workflow_name?: string;
  environment?: string;
  started_at?: string | null;
  finished_at?: string | null;
}
interface ActionRun {
  ref: string;
  status: string;
  environment?: string;
  attempts?: number;
  result?: unknown;
  error?: unknown;
}
interface Run extends RunSummary {
  actions?: ActionRun[];
  result?: unknown;
  error?: unknown;
}

async function get<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${getToken() ?? ""}` } });
  const body = (await res.json().catch(() => ({}))) as {
    error?: { code: string; message: string; details: Record<string, unknown> };
  };
  if (!res.ok)
    throw new ApiError(
      res.status,
      body.error?.code ?? "http_error",
      body.error?.message ?? `The server answered ${res.status}.`,
      body.error?.details ?? {},
    );
  return body as T;
}

const COLORS: Record<string, string> = {
  succeeded: "green",
  success: "green",
  failed: "red",
  running: "blue",
  queued: "gray",
  cancelled: "gray",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={COLORS[status] ?? "gray"} variant="light">
      {status}
    </Badge>
  );
}

export function duration(start?: string | null, end?: string | null): string {
  if (!start || !end) return "—";
  const ms = new Date(end).getTime() - new Date(start).getTime();
  if (!Number.isFinite(ms) || ms < 0) return "—";
  return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

export function RunsPage({ me }: { me: Whoami }) {
  const runs = useQuery({
    queryKey: ["runs", me.workspace.slug],
    queryFn: () => get<{ items: RunSummary[] }>(`/api/v1/workspaces/${encodeURIComponent(me.workspace.slug)}/runs`),
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        Runs
      </Title>
      {runs.error && (
        <Text c="red" role="alert">
          {runs.error.message}
        </Text>
      )}
      {runs.data && runs.data.items.length === 0 && <Text c="dimmed">No workflow has run in this workspace yet.</Text>}
      {runs.data && runs.data.items.length > 0 && (
        <Table.ScrollContainer minWidth={560}>
          <Table striped highlightOnHover aria-label="Workflow runs, newest first">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Status</Table.Th>
                <Table.Th>Workflow</Table.Th>
                <Table.Th>Environment</Table.Th>
                <Table.Th>Started</Table.Th>
                <Table.Th>Duration</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {runs.data.items.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>
                    <StatusBadge status={r.status} />
                  </Table.Td>
                  <Table.Td>
                    <Anchor component={Link} href={`/runs/${encodeURIComponent(r.id)}`}>
                      {r.workflow_name ?? r.workflow ?? r.id}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{r.environment ?? "—"}</Table.Td>
                  <Table.Td>{r.started_at ? new Date(r.started_at).toLocaleString() : "—"}</Table.Td>
                  <Table.Td>{duration(r.started_at, r.finished_at)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function Json({ value, label }: { value: unknown; label: string }) {
  if (value === undefined || value === null) return null;
  return (
    <Stack gap={2}>
      <Text size="xs" fw={500}>
        {label}
      </Text>
      <Code block className="coffer-mono">
        {typeof value === "string" ? value : JSON.stringify(value, null, 2)}
      </Code>
    </Stack>
  );
}

export function RunPage({ me, runId }: { me: Whoami; runId: string }) {
  const run = useQuery({
    queryKey: ["run", me.workspace.slug, runId],
    queryFn: () =>
      get<Run>(`/api/v1/workspaces/${encodeURIComponent(me.workspace.slug)}/runs/${encodeURIComponent(runId)}`),
  });
  if (run.error)
    return (
      <Text c="red" role="alert">
        {run.error.message}
      </Text>
    );
  if (!run.data) return <Text role="status">Loading run…</Text>;
  const r = run.data;
  return (
    <Stack>
      <Anchor component={Link} href="/runs" size="sm">
        ← All runs
      </Anchor>
      <Group gap="sm">
        <Title order={1} size="h2">
          Run of {r.workflow_name ?? r.workflow ?? "workflow"}
        </Title>
        <StatusBadge status={r.status} />
      </Group>
      <Text size="sm">
        <Code>{r.id}</Code> · environment {r.environment ?? "—"} · started{" "}
        {r.started_at ? new Date(r.started_at).toLocaleString() : "—"} · {duration(r.started_at, r.finished_at)}
      </Text>
      <Json value={r.result} label="Result (masked)" />
      <Json value={r.error} label="Error (masked)" />
      <Title order={2} size="h3">
        Actions
      </Title>
      {(r.actions ?? []).map((a) => (
        <Card key={a.ref} withBorder padding="sm" data-testid={`action-${a.ref}`}>
          <Group gap="sm" wrap="wrap">
            <Text fw={600} className="coffer-mono">
              {a.ref}
            </Text>
            <StatusBadge status={a.status} />
            <Text size="sm">environment {a.environment ?? "—"}</Text>
            <Text size="sm">attempts {a.attempts ?? 1}</Text>
          </Group>
          <Json value={a.result} label="Result (masked)" />
          <Json value={a.error} label="Error (masked)" />
        </Card>
      ))}
    </Stack>
  );
}
