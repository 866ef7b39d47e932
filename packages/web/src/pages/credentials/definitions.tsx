import { Badge, Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api, type SecretDefinition, unwrap, type Whoami } from "../../api/client";
import { can } from "../../roles";

/** The secrets the registry's actions declare, where each is configured, and Configure. */
export function Definitions({ me, onConfigure }: { me: Whoami; onConfigure: (definition: SecretDefinition) => void }) {
  const defs = useQuery({
    queryKey: ["definitions", me.workspace.slug],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace}/secrets/definitions", {
          params: { path: { workspace: me.workspace.slug } },
        }),
      ),
  });
  if (defs.error)
    return (
      <Text className="coffer-bad" role="alert">
        {defs.error.message}
      </Text>
    );
  if (!defs.data) return <Text role="status">Loading pre-built credentials…</Text>;
  if (defs.data.items.length === 0) return <Text c="dimmed">No action declares a secret.</Text>;
  return (
    <Stack gap="sm">
      {defs.data.items.map((d) => (
        <Card
          key={d.name}
          withBorder
          padding="sm"
          component="section"
          aria-labelledby={`def-${d.name}`}
          data-testid={`definition-${d.name}`}
        >
          <Group justify="space-between" wrap="wrap" gap="xs">
            <Group gap="xs">
              <Title order={3} size="h4" id={`def-${d.name}`} className="coffer-mono">
                {d.name}
              </Title>
              <Badge variant="outline">{d.secret_type}</Badge>
              {d.optional && (
                <Badge variant="light" color="gray">
                  optional
                </Badge>
              )}
            </Group>
            {can(me.role, "write") && (
              <Button size="xs" onClick={() => onConfigure(d)} aria-label={`Configure ${d.name}`}>
                Configure
              </Button>
            )}
          </Group>
          <Text size="sm" mt={4}>
            Keys: <span className="coffer-mono">{d.keys.join(", ") || "—"}</span>
            {d.optional_keys && d.optional_keys.length > 0 && (
              <>
                {" · optional: "}
                <span className="coffer-mono">{d.optional_keys.join(", ")}</span>
              </>
            )}
          </Text>
          <Text size="xs" c="dimmed">
            Used by {d.action_count} {d.action_count === 1 ? "action" : "actions"}: {d.actions.slice(0, 6).join(", ")}
            {d.actions.length > 6 ? ` and ${d.actions.length - 6} more` : ""}
          </Text>
          <Group gap={4} mt={6} wrap="wrap">
            {d.environments.map((e) => (
              <Badge
                key={e.environment}
                variant="light"
                color={e.configured && e.missing_keys.length === 0 ? "green" : e.configured ? "orange" : "gray"}
                title={e.missing_keys.length ? `missing ${e.missing_keys.join(", ")}` : undefined}
              >
                {e.environment}:{" "}
                {e.configured
                  ? e.missing_keys.length
                    ? `missing ${e.missing_keys.join(", ")}`
                    : "configured"
                  : "not configured"}
              </Badge>
            ))}
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
