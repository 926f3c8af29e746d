import { describe, expect, it } from 'vitest';
import { customerBody } from '../../functions/core/schemas.ts';

const withAttribute = (value: unknown) => customerBody.safeParse({ email: 'a@example.com', attributes: { score: value } });

describe('customer attributes', () => {
  it.each([0, 42, -7, 0.5, 9007199254740991, true, 'pro'])('accepts %s', (value) => {
    expect(withAttribute(value).success).toBe(true);
  });
  // DynamoDB cannot store these exactly: the SDK throws on unsafe integers, the service on underflow.
  it.each([1e20, 2 ** 53, 1e-200, -1e-200])('rejects %s', (value) => {
    expect(withAttribute(value).success).toBe(false);
  });
});
