import { Badge, Button, Group, Table, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Secret, unwrap, type Whoami } from "../../api/client";
import { can } from "../../roles";

/** A secret's versions (who, when, which keys) and, for an admin, Restore. */
export function History({ me, secret }: { me: Whoami; secret: Secret }) {
  const queryClient = useQueryClient();
  const path = { workspace: me.workspace.slug, id: secret.id };
  const versions = useQuery({
    queryKey: ["versions", me.workspace.slug, secret.id],
    queryFn: () => unwrap(api.GET("/api/v1/workspaces/{workspace}/secrets/{id}/versions", { params: { path } })),
  });
  const restore = useMutation({
    mutationFn: (number: number) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace}/secrets/{id}/versions/{number}/restore", {
          params: { path: { ...path, number: String(number) } },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["versions", me.workspace.slug, secret.id] });
      void queryClient.invalidateQueries({ queryKey: ["secrets"] });
    },
  });
  if (versions.error)
    return (
      <Text className="coffer-bad" role="alert">
        {versions.error.message}
      </Text>
    );
  if (!versions.data) return <Text role="status">Loading versions…</Text>;
  const items = [...versions.data.items].sort((a, b) => b.number - a.number);
  return (
    <>
      {restore.error && (
        <Text className="coffer-bad" role="alert" mb="xs">
          {restore.error.message}
        </Text>
      )}
      {restore.data && (
        <Text className="coffer-ok" role="status" mb="xs">
          Restored: version {restore.data.version} is now current.
        </Text>
      )}
      <Table.ScrollContainer minWidth={360}>
        <Table striped aria-label={`Versions of ${secret.name} in ${secret.environment}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Version</Table.Th>
              <Table.Th>Keys</Table.Th>
              <Table.Th>By</Table.Th>
              <Table.Th>When</Table.Th>
              <Table.Th>
                <span className="coffer-skip">Actions</span>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((v) => (
              <Table.Tr key={v.number} data-testid={`version-${v.number}`}>
                <Table.Td>
                  {v.number} {v.current && <Badge size="xs">current</Badge>}
                </Table.Td>
                <Table.Td className="coffer-mono">{v.keys.join(", ")}</Table.Td>
                <Table.Td>{v.created_by}</Table.Td>
                <Table.Td>{new Date(v.created_at).toLocaleString()}</Table.Td>
                <Table.Td>
                  {!v.current && can(me.role, "restore") && (
                    <Group gap={4}>
                      <Button
                        size="xs"
                        variant="default"
                        loading={restore.isPending && restore.variables === v.number}
                        onClick={() => restore.mutate(v.number)}
                      >
                        Restore version {v.number}
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </>
  );
}
