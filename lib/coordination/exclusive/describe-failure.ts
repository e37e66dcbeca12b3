/** An error as one short log fragment: its name and message (the store's messages never hold keys or values). */
export function describeFailure(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
