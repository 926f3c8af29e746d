#!/usr/bin/env node
/**
 * `npm start`: the whole service on this machine, no AWS account needed.
 *   npm start                 in memory
 *   npm start -- --persist    keep data in .local-data/ across restarts
 * Ports: PORT (3000), DYNAMODB_PORT (8000), SES_PORT (8005). Admin token: FEEDBACK_ADMIN_TOKEN, else generated.
 */
import { parseArgs } from 'node:util';
import { PORT_VARIABLES } from '../lib/local/ports.ts';
import { startLocalStack } from '../lib/local/stack.ts';

const { values } = parseArgs({ options: { persist: { type: 'boolean', default: false } } });
const port = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a port number.`);
  return value;
};

const say = (line: string) => console.error(`[local] ${line}`);

try {
  const stack = await startLocalStack({
    port: port(PORT_VARIABLES.port, 3000),
    dynamoDbPort: port(PORT_VARIABLES.dynamoDbPort, 8000),
    sesPort: port(PORT_VARIABLES.sesPort, 8005),
    dataDir: values.persist ? '.local-data' : undefined,
    adminToken: process.env.FEEDBACK_ADMIN_TOKEN || undefined,
    log: say,
  });
  if (!process.env.FEEDBACK_ADMIN_TOKEN) say(`admin token (set FEEDBACK_ADMIN_TOKEN to choose one): ${stack.adminToken}`);
  say(`email inbox: ${stack.sesEndpoint}`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(130); // a second Ctrl-C does not wait
    stopping = true;
    say(`${signal}: stopping`);
    void stack.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  console.log(`ready: ${stack.apiUrl}`);
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
