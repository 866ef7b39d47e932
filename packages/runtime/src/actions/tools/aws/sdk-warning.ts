/**
 * The AWS SDK warns once per process that its releases after January 2027 need Node 22. Coffer
 * pins releases that support Node 20, so the warning says nothing to an operator; this is the
 * SDK's documented switch, set before the first client loads (an operator's own value wins).
 */
export function quietSdkNodeWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}
