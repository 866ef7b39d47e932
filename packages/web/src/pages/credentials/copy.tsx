import { ActionIcon, CopyButton, Tooltip } from "@mantine/core";

/** A button that copies `text`, named for what it copies. */
export function CopyText({ text, label }: { text: string; label: string }) {
  return (
    <CopyButton value={text} timeout={1500}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? "Copied" : label} withArrow>
          <ActionIcon variant="subtle" size="sm" aria-label={label} onClick={copy} color={copied ? "teal" : undefined}>
            <svg
              aria-hidden="true"
              width="14"
              height="14"
              viewBox="0 0 24 24"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
            >
              {copied ? <path d="M5 12l5 5 9-10" /> : <path d="M9 9h11v11H9zM5 15H4V4h11v1" />}
            </svg>
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}
