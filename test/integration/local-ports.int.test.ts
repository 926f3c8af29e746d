import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../global-setup.ts';

/** `npm start` with one of its ports taken: it must refuse before anything starts, naming the variable to change. */
const occupied: Server[] = [];
afterEach(async () => {
  await Promise.all(occupied.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function occupy(host: string): Promise<number> {
  const port = await freePort();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  occupied.push(server);
  return port;
}

function startLocal(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm start with a taken port', () => {
  it.each([
    ['SES_PORT', '127.0.0.1'],
    ['PORT', '127.0.0.1'],
    ['DYNAMODB_PORT', '0.0.0.0'],
    ['SES_PORT', '0.0.0.0'],
  ])(
    'refuses when %s is taken on %s, naming the port and the variable, and prints no ready line',
    async (variable, host) => {
      const taken = await occupy(host);
      const env: Record<string, string> = {
        PORT: String(await freePort()),
        DYNAMODB_PORT: String(await freePort()),
        SES_PORT: String(await freePort()),
      };
      env[variable] = String(taken);
      const { code, stdout, stderr } = await startLocal(env);
      expect(code).toBe(1);
      expect(stdout).not.toMatch(/ready:/);
      expect(stderr).toContain(`Port ${taken} (${variable}) is in use`);
      expect(stderr).toContain(`set ${variable} to a free port`);
      expect(stderr).not.toMatch(/starting DynamoDB Local/); // refused before anything started
    },
    90_000,
  );
});
