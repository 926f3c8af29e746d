import { createServer } from 'node:net';

/** The environment variable that sets each port of the local stack. */
export const PORT_VARIABLES = { port: 'PORT', dynamoDbPort: 'DYNAMODB_PORT', sesPort: 'SES_PORT' } as const;
export type PortName = keyof typeof PORT_VARIABLES;

export class PortInUse extends Error {
  constructor(port: number, name: PortName) {
    const variable = PORT_VARIABLES[name];
    super(`Port ${port} (${variable}) is in use, perhaps by another npm start: stop that, or set ${variable} to a free port.`);
    this.name = 'PortInUse';
  }
}

/** Whether the port can be bound on loopback: a listener on any interface, or on 127.0.0.1, makes it taken. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** Refuses to start anything while one of the ports is taken (0 means any free port, so it never is). */
export async function assertPortsFree(ports: Partial<Record<PortName, number>>): Promise<void> {
  for (const [name, port] of Object.entries(ports) as Array<[PortName, number | undefined]>) {
    if (port && !(await isFree(port))) throw new PortInUse(port, name);
  }
}

/** A free loopback port, so a test run or a bench never collides with `npm start` or another run. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
