/**
 * Loads an optional peer dependency, or resolves undefined when the app has not installed it. `load` is a
 * literal `import('name')`, so that each build format resolves the package the way the app does.
 */
export async function loadOptionalPeer<T>(name: string, load: () => Promise<T>): Promise<T | undefined> {
  try {
    return await load();
  } catch (error) {
    if (isNotInstalled(error, name)) return undefined;
    throw error;
  }
}

function isNotInstalled(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
  // A package that is installed but misses one of its own dependencies is a real failure, not an absence.
  return missing && error instanceof Error && error.message.includes(`'${name}'`);
}
