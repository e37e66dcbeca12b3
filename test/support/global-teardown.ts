import type { GlobalWithServers } from './global-setup.ts';

export default async function globalTeardown(): Promise<void> {
  const servers = (globalThis as GlobalWithServers).__dynaliteServers ?? [];
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
}
