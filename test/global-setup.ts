import type { TestProject } from 'vitest/node';
import { startSesLocal } from '../lib/local/ses-local.ts';
import { freePort } from '../lib/local/ports.ts';

export { freePort };

declare module 'vitest' {
  export interface ProvidedContext {
    sesEndpoint: string;
  }
}

/**
 * One local SES for the whole run (tests find their emails by unique addresses). DynamoDB Local is started per
 * test file instead (test/setup-integration.ts).
 */
export default async function setup(project: TestProject) {
  const ses = await startSesLocal({ port: await freePort() });
  project.provide('sesEndpoint', ses.endpoint);
  return async () => {
    await ses.stop();
  };
}
