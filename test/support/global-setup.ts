import dynalite from 'dynalite';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '@jest/types';

// Jest loads this file as CommonJS outside its module mapper, so it imports no project files.

/**
 * Unless DYNAMODB_ENDPOINT names a server, starts one in-memory dynalite per Jest worker in this (the
 * parent) process, so that workers do not queue on one single-threaded server. Workers find their
 * endpoint in KV_TEST_ENDPOINTS (see test-endpoint.ts).
 */
export default async function globalSetup(globalConfig: Config.GlobalConfig): Promise<void> {
  // Tests give the SDK fixed credentials; without this, a chain lookup could still try the instance-metadata
  // address, which is off this machine. Workers inherit it.
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  // On Node 20, which our engines keep until the AWS SDK itself drops it (January 2027), the SDK warns once per
  // process that it will; this switch is the SDK's documented way to turn that notice off
  // (aws/aws-sdk-js-v3#7983). Our test processes only, and only on 20: a later notice (Node 22's turn) still
  // shows. Workers inherit it, and so do the commands tests run in this environment (consumer apps, the soak);
  // the sample app, which tests start with a clean environment, keeps its notice, as users' apps do.
  if (Number(process.versions.node.split('.')[0]) === 20) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (process.env.DYNAMODB_ENDPOINT) {
    console.log(`\nIntegration tests run against DYNAMODB_ENDPOINT=${process.env.DYNAMODB_ENDPOINT}`);
    return;
  }
  const servers: Server[] = [];
  for (let worker = 0; worker < Math.max(1, globalConfig.maxWorkers); worker += 1) {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  process.env.KV_TEST_ENDPOINTS = servers
    .map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    .join(',');
  (globalThis as GlobalWithServers).__dynaliteServers = servers;
}

export interface GlobalWithServers {
  __dynaliteServers?: Server[];
}
