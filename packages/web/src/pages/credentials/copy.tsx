import { ActionIcon, CopyButton, Tooltip } from "@mantine/core";

/** A button that copies `text`, named for what it copies. */
export function CopyText({ text, label }: { text: string; label: string }) {
  return (
    <CopyButton value={text} timeout={1500}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? "Copied" : label} withArrow>
          <ActionIcon variant="subtle" size="sm" aria-label={label} onClick={copy} color={copied ? "teal" : undefined}>
            <span aria-hidden="true">{copied ? "✓" : "⧉"}</span>
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}
