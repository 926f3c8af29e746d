import type { Server } from 'node:http';
import ses from 'aws-ses-v2-local';
import { assertPortsFree } from './ports.ts';

// A CommonJS module whose default export arrives wrapped once more under ESM.
const sesServer = (ses as unknown as { default?: typeof ses }).default ?? ses;

export interface SesLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts aws-ses-v2-local in this process, on loopback only: its inbox at `/`, its JSON store at `/store`. */
export async function startSesLocal(options: { port: number }): Promise<SesLocal> {
  // The emulator reports no listen error: without this, a taken port would leave emails failing unseen.
  await assertPortsFree({ sesPort: options.port });
  const server: Server = await sesServer({ host: '127.0.0.1', port: options.port });
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
