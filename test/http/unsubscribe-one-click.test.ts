import { describe, expect, it } from 'vitest';
import { signToken } from '../../functions/core/tokens.ts';
import { aCustomer, uniqueId } from '../support/factories.ts';
import { useApi } from '../support/api.ts';
import { TEST_KEYRING } from '../setup-env.ts';

const api = useApi();
const ring = {
  activeKid: TEST_KEYRING.activeKid,
  keys: { [TEST_KEYRING.activeKid]: TEST_KEYRING[TEST_KEYRING.activeKid as 'test-1'] },
};

async function givenSubscribedCustomer(email = aCustomer().email) {
  const customerId = uniqueId('c');
  expect((await api.request('PUT', `/v1/customers/${customerId}`, { admin: true, body: aCustomer({ email }) })).status).toBe(200);
  const token = signToken(ring, { purpose: 'unsubscribe', customerId, exp: Math.floor(Date.now() / 1000) + 3600, nonce: 'n' });
  return { customerId, path: `/v1/unsubscribe?token=${encodeURIComponent(token)}` };
}

describe('one-click unsubscribe (RFC 8058)', () => {
  // Mail clients send the one-click POST as multipart/form-data or form-encoded; some send no type at all.
  it.each([
    [
      'multipart/form-data',
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n',
    ],
    ['form-encoded', 'application/x-www-form-urlencoded', 'List-Unsubscribe=One-Click'],
    ['text/plain', 'text/plain', 'List-Unsubscribe=One-Click'],
  ])('accepts a %s body', async (_name, contentType, body) => {
    const { customerId, path } = await givenSubscribedCustomer();
    const res = await api.request('POST', path, { body, headers: { 'content-type': contentType } });
    expect(res.status).toBe(200);
    const after = await api.request('GET', `/v1/customers/${customerId}`, { admin: true });
    expect(after.body.customer.unsubscribed).toBe(true);
  });

  it('still rejects a forged link, whatever the body', async () => {
    const res = await api.request('POST', '/v1/unsubscribe?token=k.forged.sig', {
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('invalid_token');
  });

  it('unsubscribes the address: every customer with it, in any case, and one created later', async () => {
    const email = aCustomer().email;
    const first = await givenSubscribedCustomer(email);
    const second = await givenSubscribedCustomer(email.toUpperCase());

    expect((await api.request('POST', second.path, { body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
    const later = await givenSubscribedCustomer(email);

    for (const { customerId } of [first, second, later]) {
      const res = await api.request('GET', `/v1/customers/${customerId}`, { admin: true });
      expect(res.body.customer.unsubscribed).toBe(true);
    }
    const other = await givenSubscribedCustomer();
    expect((await api.request('GET', `/v1/customers/${other.customerId}`, { admin: true })).body.customer.unsubscribed).toBe(
      false,
    );
  });
});
