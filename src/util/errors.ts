/** Bad usage or unreadable input: reported as one line, exit code 2, never a stack trace. */
export class UsageError extends Error {}
