import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import type { Reply, RequestOptions } from './api.ts';
import { TEST_ADMIN_TOKEN } from '../setup-env.ts';

const SERVER = fileURLToPath(new URL('../../lib/local/http-server.ts', import.meta.url));

/**
 * The local API in a child process, for requests that might never end: a handler that loops blocks its whole
 * process (the API and SIGINT stop answering), so in-process it would hang the test file instead of failing it.
 * Here a request gives up after `timeoutMs` (default a minute, for cold starts) and the test fails; the child is
 * killed (SIGKILL) afterwards. Each reply says how long it took (`ms`).
 */
export function useApiProcess() {
  let url = '';
  let child: ReturnType<typeof spawn> | undefined;
  beforeAll(async () => {
    const script = `const { startApi } = await import(${JSON.stringify(SERVER)}); console.log((await startApi({ port: 0 })).url);`;
    child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    url = await new Promise<string>((resolve, reject) => {
      child!.once('exit', (code) => reject(new Error(`the API process exited (${code}) before it was ready`)));
      lines.once('line', (line) => resolve(line.trim()));
    });
  });
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  return {
    async request<T = any>(
      method: string,
      path: string,
      options: RequestOptions & { timeoutMs?: number } = {},
    ): Promise<Reply<T> & { ms: number }> {
      const headers: Record<string, string> = { ...options.headers };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.admin) headers.authorization = `Bearer ${TEST_ADMIN_TOKEN}`;
      const start = performance.now();
      const res = await fetch(url + path, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      });
      const text = await res.text();
      const ms = performance.now() - start;
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, headers: res.headers, body: body as T, text, ms };
    },
  };
}
