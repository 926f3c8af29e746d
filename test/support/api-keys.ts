import type { Scope } from '../../functions/core/api-keys.ts';
import { uniqueId } from './factories.ts';

type Api = { request: (m: string, p: string, o?: any) => Promise<{ status: number; body: any }> };

/** A key created through the API with the admin token: its id and the secret shown once. */
export async function givenKey(api: Api, scopes: Scope[], name = uniqueId('key')) {
  const res = await api.request('POST', '/v1/keys', { admin: true, body: { name, scopes } });
  if (res.status !== 201) throw new Error(`key setup failed: ${JSON.stringify(res.body)}`);
  return { keyId: res.body.keyId as string, secret: res.body.secret as string };
}

export const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });
