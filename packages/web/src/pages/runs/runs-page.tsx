import { Anchor, Badge, Card, Code, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Whoami } from "../../api/client";
import type { components } from "../../api/schema";
import { Link } from "../../router";

type RunSummary = components["schemas"]["RunSummary"];

const COLORS: Record<string, string> = {
  succeeded: "#1f6f32",
  failed: "red.9",
  running: "blue.8",
  cancelled: "gray.7",
  skipped: "gray.7",
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={COLORS[status] ?? "gray.7"} variant="filled">
      {status}
    </Badge>
  );
}

export function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return "—";
  return ms < 1000
    ? `${Math.round(ms)} ms`
    : ms < 60_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.round(ms / 60_000)} min`;
}

function workflowOf(r: RunSummary): string {
  return r.title || r.workflow_id || "workflow file";
}

export function RunsPage({ me }: { me: Whoami }) {
  const runs = useQuery({
    queryKey: ["runs", me.workspace.slug],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace}/runs", {
          params: { path: { workspace: me.workspace.slug }, query: { limit: 100 } },
        }),
      ),
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        Runs
      </Title>
      {runs.error && (
        <Text className="coffer-bad" role="alert">
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
                      {workflowOf(r)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{r.environment}</Table.Td>
                  <Table.Td>{new Date(r.started_at).toLocaleString()}</Table.Td>
                  <Table.Td>{duration(r.duration_ms)}</Table.Td>
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
      unwrap(
        api.GET("/api/v1/workspaces/{workspace}/runs/{id}", {
          params: { path: { workspace: me.workspace.slug, id: runId } },
        }),
      ),
  });
  if (run.error)
    return (
      <Text className="coffer-bad" role="alert">
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
          Run of {workflowOf(r)}
        </Title>
        <StatusBadge status={r.status} />
      </Group>
      <Text size="sm">
        <Code>{r.id}</Code> · environment {r.environment} · started {new Date(r.started_at).toLocaleString()} ·{" "}
        {duration(r.duration_ms)}
        {r.reason ? ` · ${r.reason}` : ""} · by {r.created_by}
      </Text>
      <Json value={r.returns} label="Returns (masked)" />
      <Json value={r.error} label="Error (masked)" />
      <Title order={2} size="h3">
        Actions
      </Title>
      {Object.keys(r.actions).length === 0 && <Text c="dimmed">No action ran.</Text>}
      {Object.entries(r.actions).map(([ref, a]) => (
        <Card
          key={ref}
          withBorder
          padding="sm"
          data-testid={`action-${ref}`}
          component="section"
          aria-label={`Action ${ref}`}
        >
          <Group gap="sm" wrap="wrap">
            <Text fw={600} className="coffer-mono">
              {ref}
            </Text>
            <StatusBadge status={a.status} />
            <Text size="sm">environment {a.environment ?? r.environment}</Text>
            <Text size="sm">
              {a.attempts} {a.attempts === 1 ? "attempt" : "attempts"}
            </Text>
            <Text size="sm">{duration(a.duration_ms)}</Text>
          </Group>
          <Json value={a.result} label="Result (masked)" />
          <Json value={a.error} label="Error (masked)" />
        </Card>
      ))}
    </Stack>
  );
}
