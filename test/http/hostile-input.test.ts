import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseKeyring, signToken, type TokenClaims } from '../../functions/core/tokens.ts';
import { TEST_ADMIN_TOKEN, TEST_KEYRING } from '../setup-env.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { table, testDb, useApi } from '../support/api.ts';
import { watchTableWrites, writesNaming } from '../support/table-writes.ts';
import { expectContractError } from '../support/contract.ts';
import { aCustomer, aSurvey, givenCustomer, givenLink, givenSurvey, uniqueId } from '../support/factories.ts';

/**
 * Malformed and malicious bodies, headers, tokens and ids against every endpoint of the contract. Each case must
 * be answered with its exact 4xx and the contract's error shape, and must leave the table as it was.
 */
const api = useApi();

/** What the cases aim at: fixtures made once, and ids and an Idempotency-Key new to each case. */
interface Target {
  /** Not anonymous; asks every question. */
  surveyId: string;
  /** Anonymous; asks only nps. */
  npsOnlySurveyId: string;
  otherSurveyId: string;
  customerId: string;
  /** A link for customerId on surveyId. */
  token: string;
  /** A link for customerId on otherSurveyId. */
  otherToken: string;
  freshSurveyId: string;
  freshCustomerId: string;
  key: string;
}

interface Hostile {
  method: string;
  path: string;
  /** A string is sent as is (as JSON), bytes with no content type, anything else JSON-encoded. */
  body?: unknown;
  headers?: Record<string, string>;
  admin?: boolean;
}

interface Case {
  name: string;
  request: (t: Target) => Hostile;
  status: number;
  code: string;
  /** For validation failures: a path the issues must name. */
  path?: string;
}

// ---- factories of valid requests, which the cases then break in one way each ----

const aResponse = (t: Target, overrides: Record<string, unknown> = {}) => ({
  surveyId: t.surveyId,
  token: t.token,
  nps: 9,
  comment: 'Fast and friendly.',
  channel: 'email',
  attributes: { plan: 'pro' },
  ...overrides,
});

const postResponse = (body: unknown, headers?: Record<string, string>, admin?: boolean): Hostile => ({
  method: 'POST',
  path: '/v1/responses',
  body,
  headers,
  admin,
});
const putSurvey = (id: string, body: unknown, headers?: Record<string, string>): Hostile => ({
  method: 'PUT',
  path: `/v1/surveys/${id}`,
  body,
  headers,
  admin: true,
});
const putCustomer = (id: string, body: unknown, headers?: Record<string, string>): Hostile => ({
  method: 'PUT',
  path: `/v1/customers/${id}`,
  body,
  headers,
  admin: true,
});
const postLink = (surveyId: string, body: unknown, headers?: Record<string, string>): Hostile => ({
  method: 'POST',
  path: `/v1/surveys/${surveyId}/links`,
  body,
  headers,
  admin: true,
});

/** A valid body as JSON text with one raw member added: for what JSON.stringify cannot write (1e309, NaN, __proto__). */
const withRawMember = (body: Record<string, unknown>, member: string) => `${JSON.stringify(body).slice(0, -1)},${member}}`;
const omit = (body: Record<string, unknown>, ...names: string[]) =>
  Object.fromEntries(Object.entries(body).filter(([name]) => !names.includes(name)));
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const manyEntries = (n: number, value: (i: number) => unknown = () => 'x') =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, value(i)]));

const ring = parseKeyring(JSON.stringify(TEST_KEYRING));
const nowSeconds = () => Math.floor(Date.now() / 1000);
const claimsFor = (t: Target, overrides: Partial<TokenClaims> = {}): TokenClaims => ({
  purpose: 'survey',
  surveyId: t.surveyId,
  customerId: t.customerId,
  exp: nowSeconds() + 3600,
  nonce: randomBytes(12).toString('base64url'),
  ...overrides,
});
/** The link token with its payload swapped for other claims and its signature kept. */
function tampered(t: Target) {
  const [kid, , sig] = t.token.split('.') as [string, string, string];
  const payload = Buffer.from(JSON.stringify({ p: 's', c: 'someone-else', s: t.surveyId, e: nowSeconds() + 3600, n: 'n' }));
  return `${kid}.${payload.toString('base64url')}.${sig}`;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const future = () => new Date(Date.now() + 2 * 3600_000).toISOString();

// ---- the cases ----

// prettier-ignore
const responseBodies: Case[] = [
  { name: 'truncated JSON', request: (t) => postResponse(`{"surveyId":"${t.surveyId}",`), status: 400, code: 'validation_failed' },
  { name: 'trailing garbage after the JSON', request: (t) => postResponse(`${JSON.stringify(aResponse(t))}}`), status: 400, code: 'validation_failed' },
  { name: 'JSON with a comment', request: (t) => postResponse(`${JSON.stringify(aResponse(t)).slice(0, -1)} /* admin */}`), status: 400, code: 'validation_failed' },
  { name: 'single-quoted JSON', request: (t) => postResponse(`{'surveyId':'${t.surveyId}','nps':9}`), status: 400, code: 'validation_failed' },
  { name: 'an array instead of an object', request: (t) => postResponse([aResponse(t)]), status: 400, code: 'validation_failed' },
  { name: 'a null body', request: () => postResponse('null'), status: 400, code: 'validation_failed' },
  { name: 'a string body', request: () => postResponse('"nps=9"'), status: 400, code: 'validation_failed' },
  { name: 'a number body', request: () => postResponse('9'), status: 400, code: 'validation_failed' },
  { name: 'an empty object', request: () => postResponse({}), status: 400, code: 'validation_failed', path: 'surveyId' },
  { name: 'no body at all', request: () => ({ method: 'POST', path: '/v1/responses', headers: JSON_TYPE }), status: 400, code: 'validation_failed' },
  { name: 'a fractional score (9.5)', request: (t) => postResponse(aResponse(t, { nps: 9.5 })), status: 400, code: 'validation_failed', path: 'nps' },
  { name: 'a score as a string ("9")', request: (t) => postResponse(aResponse(t, { nps: '9' })), status: 400, code: 'validation_failed', path: 'nps' },
  { name: 'a negative score (-1)', request: (t) => postResponse(aResponse(t, { nps: -1 })), status: 400, code: 'validation_failed', path: 'nps' },
  { name: 'nps above 10 (11)', request: (t) => postResponse(aResponse(t, { nps: 11 })), status: 400, code: 'validation_failed', path: 'nps' },
  { name: 'csat of 0', request: (t) => postResponse(aResponse(t, { csat: 0 })), status: 400, code: 'validation_failed', path: 'csat' },
  { name: 'csat of 6', request: (t) => postResponse(aResponse(t, { csat: 6 })), status: 400, code: 'validation_failed', path: 'csat' },
  { name: 'ces of 8', request: (t) => postResponse(aResponse(t, { ces: 8 })), status: 400, code: 'validation_failed', path: 'ces' },
  { name: 'ces as a boolean', request: (t) => postResponse(aResponse(t, { ces: true })), status: 400, code: 'validation_failed', path: 'ces' },
  { name: 'a score of 1e309 (Infinity)', request: (t) => postResponse(withRawMember(omit(aResponse(t), 'nps'), '"nps":1e309')), status: 400, code: 'validation_failed', path: 'nps' },
  { name: 'a score of 2^53 + 1', request: (t) => postResponse(withRawMember(omit(aResponse(t), 'nps'), '"nps":9007199254740993')), status: 400, code: 'validation_failed', path: 'nps' },
  { name: 'a bare NaN', request: (t) => postResponse(withRawMember(omit(aResponse(t), 'nps'), '"nps":NaN')), status: 400, code: 'validation_failed' },
  { name: 'the string "NaN"', request: (t) => postResponse(aResponse(t, { nps: 'NaN' })), status: 400, code: 'validation_failed', path: 'nps' },
  { name: 'a null score', request: (t) => postResponse(aResponse(t, { nps: null })), status: 400, code: 'validation_failed', path: 'nps' },
  { name: 'a duplicate key whose last value is bad', request: (t) => postResponse(withRawMember(aResponse(t), '"nps":"ten"')), status: 400, code: 'validation_failed', path: 'nps' },
  { name: 'no score at all', request: (t) => postResponse(omit(aResponse(t), 'nps')), status: 400, code: 'validation_failed', path: 'nps' },
  { name: 'an answer the survey does not ask', request: (t) => postResponse(aResponse(t, { surveyId: t.npsOnlySurveyId, token: undefined, csat: 4 })), status: 400, code: 'validation_failed', path: 'csat' },
  { name: 'a comment of 2001 characters', request: (t) => postResponse(aResponse(t, { comment: 'x'.repeat(2001) })), status: 400, code: 'validation_failed', path: 'comment' },
  { name: 'a comment that is an object', request: (t) => postResponse(aResponse(t, { comment: { text: 'hi' } })), status: 400, code: 'validation_failed', path: 'comment' },
  { name: 'a channel of 65 characters', request: (t) => postResponse(aResponse(t, { channel: 'c'.repeat(65) })), status: 400, code: 'validation_failed', path: 'channel' },
  { name: '11 attributes', request: (t) => postResponse(aResponse(t, { attributes: manyEntries(11) })), status: 400, code: 'validation_failed', path: 'attributes' },
  { name: 'a number as an attribute value', request: (t) => postResponse(aResponse(t, { attributes: { seats: 5 } })), status: 400, code: 'validation_failed', path: 'attributes.seats' },
  { name: 'an attribute value of 257 characters', request: (t) => postResponse(aResponse(t, { attributes: { plan: 'p'.repeat(257) } })), status: 400, code: 'validation_failed', path: 'attributes.plan' },
  { name: 'an attribute name of 65 characters', request: (t) => postResponse(aResponse(t, { attributes: { ['a'.repeat(65)]: 'x' } })), status: 400, code: 'validation_failed' },
  { name: 'attributes as an array', request: (t) => postResponse(aResponse(t, { attributes: ['plan', 'pro'] })), status: 400, code: 'validation_failed', path: 'attributes' },
  { name: 'an unknown field (.strict())', request: (t) => postResponse(aResponse(t, { score: 9 })), status: 400, code: 'validation_failed', path: 'score' },
  { name: '1,000 unknown fields', request: (t) => postResponse(aResponse(t, manyEntries(1000, () => 1))), status: 400, code: 'validation_failed' },
  { name: 'a top-level "__proto__" key', request: (t) => postResponse(withRawMember(aResponse(t), '"__proto__":{"isAdmin":true}')), status: 400, code: 'validation_failed', path: '__proto__' },
  { name: 'a "__proto__" attribute', request: (t) => postResponse(withRawMember(omit(aResponse(t), 'attributes'), '"attributes":{"__proto__":{"polluted":"yes"}}')), status: 400, code: 'validation_failed', path: 'attributes.__proto__' },
  { name: 'a "constructor.prototype" key', request: (t) => postResponse(aResponse(t, { constructor: { prototype: { isAdmin: true } } })), status: 400, code: 'validation_failed' },
  { name: 'a lone high surrogate in the comment', request: (t) => postResponse(aResponse(t, { comment: 'Great \ud800 service' })), status: 400, code: 'validation_failed', path: 'comment' },
  { name: 'a lone low surrogate in an attribute name', request: (t) => postResponse(aResponse(t, { attributes: { ['\udc00plan']: 'pro' } })), status: 400, code: 'validation_failed', path: 'attributes' },
  { name: 'a surveyId with a NUL byte', request: (t) => postResponse(aResponse(t, { surveyId: `${t.surveyId}\u0000` })), status: 400, code: 'validation_failed', path: 'surveyId' },
  { name: 'a surveyId with a right-to-left override', request: (t) => postResponse(aResponse(t, { surveyId: `\u202E${t.surveyId}` })), status: 400, code: 'validation_failed', path: 'surveyId' },
  { name: 'a customerId with a NUL byte', request: (t) => postResponse(aResponse(t, { customerId: `${t.customerId}\u0000` })), status: 400, code: 'validation_failed', path: 'customerId' },
  { name: 'an upper-case surveyId', request: (t) => postResponse(aResponse(t, { surveyId: t.surveyId.toUpperCase() })), status: 400, code: 'validation_failed', path: 'surveyId' },
  { name: 'a score nested 5,000 arrays deep', request: (t) => postResponse(withRawMember(omit(aResponse(t), 'nps'), `"nps":${nested(5000)}`)), status: 400, code: 'validation_failed', path: 'nps' },
  { name: 'a body of 8,000 nested arrays', request: () => postResponse(nested(8000)), status: 400, code: 'validation_failed' },
  { name: 'a survey that does not exist', request: (t) => postResponse(aResponse(t, { surveyId: t.freshSurveyId })), status: 404, code: 'not_found' },
];

// prettier-ignore
const submittedAt: Case[] = [
  { name: 'submittedAt without the admin token', request: (t) => postResponse(aResponse(t, { submittedAt: '2025-01-01T00:00:00Z' })), status: 400, code: 'validation_failed', path: 'submittedAt' },
  { name: 'submittedAt in the future, as admin', request: (t) => postResponse(aResponse(t, { token: undefined, customerId: t.customerId, submittedAt: future() }), undefined, true), status: 400, code: 'validation_failed', path: 'submittedAt' },
  { name: 'submittedAt that is not ISO 8601', request: (t) => postResponse(aResponse(t, { token: undefined, customerId: t.customerId, submittedAt: 'yesterday' }), undefined, true), status: 400, code: 'validation_failed', path: 'submittedAt' },
  { name: 'submittedAt on 29 February of a common year', request: (t) => postResponse(aResponse(t, { token: undefined, customerId: t.customerId, submittedAt: '2025-02-29T10:00:00Z' }), undefined, true), status: 400, code: 'validation_failed', path: 'submittedAt' },
];

// prettier-ignore
const linkTokens: Case[] = [
  { name: 'no token for a survey that is not anonymous', request: (t) => postResponse(aResponse(t, { token: undefined }), { 'idempotency-key': t.key }), status: 403, code: 'invalid_token' },
  { name: 'a random token', request: (t) => postResponse(aResponse(t, { token: 'not-a-token' })), status: 403, code: 'invalid_token' },
  { name: 'a forged token of the right shape', request: (t) => postResponse(aResponse(t, { token: `test-1.${Buffer.from('{}').toString('base64url')}.${randomBytes(32).toString('base64url')}` })), status: 403, code: 'invalid_token' },
  { name: 'an expired token', request: (t) => postResponse(aResponse(t, { token: signToken(ring, claimsFor(t, { exp: nowSeconds() - 60 })) }), { 'idempotency-key': t.key }), status: 403, code: 'invalid_token' },
  { name: "another survey's token", request: (t) => postResponse(aResponse(t, { token: t.otherToken }), { 'idempotency-key': t.key }), status: 403, code: 'invalid_token' },
  { name: 'a token with a tampered payload', request: (t) => postResponse(aResponse(t, { token: tampered(t) })), status: 403, code: 'invalid_token' },
  { name: 'a token signed with an unknown key id', request: (t) => postResponse(aResponse(t, { token: signToken({ activeKid: 'k9', keys: { k9: TEST_KEYRING['test-1'] } }, claimsFor(t)) })), status: 403, code: 'invalid_token' },
  { name: 'a token signed with the wrong secret', request: (t) => postResponse(aResponse(t, { token: signToken({ activeKid: 'test-1', keys: { 'test-1': 'a-guessed-secret-0123456789' } }, claimsFor(t)) })), status: 403, code: 'invalid_token' },
  { name: 'an unsubscribe token', request: (t) => postResponse(aResponse(t, { token: signToken(ring, claimsFor(t, { purpose: 'unsubscribe', surveyId: undefined })) })), status: 403, code: 'invalid_token' },
  { name: 'a customerId that differs from the token', request: (t) => postResponse(aResponse(t, { customerId: t.freshCustomerId }), { 'idempotency-key': t.key }), status: 403, code: 'invalid_token' },
  { name: 'a customerId without a token or the admin token', request: (t) => postResponse(aResponse(t, { surveyId: t.npsOnlySurveyId, token: undefined, customerId: t.customerId, comment: undefined })), status: 403, code: 'invalid_token' },
  { name: 'an empty token', request: (t) => postResponse(aResponse(t, { token: '' })), status: 403, code: 'invalid_token' },
  { name: 'a token of 1025 characters', request: (t) => postResponse(aResponse(t, { token: 't'.repeat(1025) })), status: 403, code: 'invalid_token' },
  { name: 'an empty token for an anonymous survey', request: (t) => postResponse({ surveyId: t.npsOnlySurveyId, token: '', nps: 9 }), status: 403, code: 'invalid_token' },
  { name: 'a valid token with = appended', request: (t) => postResponse(aResponse(t, { token: `${t.token}=` })), status: 403, code: 'invalid_token' },
  { name: 'a token that is a number', request: (t) => postResponse(aResponse(t, { token: 12345 })), status: 400, code: 'validation_failed', path: 'token' },
];

const bearer = (value: string) => ({ authorization: value });
// prettier-ignore
const adminAuth: Case[] = [
  { name: 'PUT survey without Authorization', request: (t) => ({ ...putSurvey(t.freshSurveyId, aSurvey()), admin: false }), status: 401, code: 'unauthorized' },
  { name: 'PUT survey with a wrong admin token', request: (t) => putSurvey(t.freshSurveyId, aSurvey(), bearer('Bearer not-the-token')), status: 401, code: 'unauthorized' },
  { name: 'PUT survey with the token as Basic auth', request: (t) => putSurvey(t.freshSurveyId, aSurvey(), bearer(`Basic ${Buffer.from(`admin:${TEST_ADMIN_TOKEN}`).toString('base64')}`)), status: 401, code: 'unauthorized' },
  { name: 'PUT survey with the bare token, no scheme', request: (t) => putSurvey(t.freshSurveyId, aSurvey(), bearer(TEST_ADMIN_TOKEN)), status: 401, code: 'unauthorized' },
  { name: 'PUT survey with "Bearer" and no token', request: (t) => putSurvey(t.freshSurveyId, aSurvey(), bearer('Bearer')), status: 401, code: 'unauthorized' },
  { name: 'PUT survey with the token plus a suffix', request: (t) => putSurvey(t.freshSurveyId, aSurvey(), bearer(`Bearer ${TEST_ADMIN_TOKEN}x`)), status: 401, code: 'unauthorized' },
  { name: 'PUT survey with a truncated token', request: (t) => putSurvey(t.freshSurveyId, aSurvey(), bearer(`Bearer ${TEST_ADMIN_TOKEN.slice(0, -1)}`)), status: 401, code: 'unauthorized' },
  { name: 'PUT survey with a Latin-1 character in the token', request: (t) => putSurvey(t.freshSurveyId, aSurvey(), bearer(`Bearer ${TEST_ADMIN_TOKEN}\u00e9`)), status: 401, code: 'unauthorized' },
  { name: 'PUT survey with a token of 600 characters', request: (t) => putSurvey(t.freshSurveyId, aSurvey(), bearer(`Bearer ${'t'.repeat(600)}`)), status: 401, code: 'unauthorized' },
  { name: 'PUT customer without Authorization', request: (t) => ({ ...putCustomer(t.freshCustomerId, aCustomer()), admin: false }), status: 401, code: 'unauthorized' },
  { name: 'GET customer with a wrong admin token', request: (t) => ({ method: 'GET', path: `/v1/customers/${t.customerId}`, headers: bearer('Bearer wrong') }), status: 401, code: 'unauthorized' },
  { name: 'GET survey without Authorization', request: (t) => ({ method: 'GET', path: `/v1/surveys/${t.surveyId}` }), status: 401, code: 'unauthorized' },
  { name: 'POST link without Authorization', request: (t) => ({ ...postLink(t.surveyId, { customerId: t.freshCustomerId }), admin: false }), status: 401, code: 'unauthorized' },
  { name: 'POST response with a wrong admin token (import attempt)', request: (t) => postResponse(aResponse(t, { token: undefined, customerId: t.customerId, submittedAt: '2025-01-01T00:00:00Z' }), bearer('Bearer guess')), status: 401, code: 'unauthorized' },
  { name: 'an oversized body without the admin token is 401 before 413', request: (t) => ({ ...putSurvey(t.freshSurveyId, aSurvey({ name: 'n'.repeat(17_000) })), admin: false }), status: 401, code: 'unauthorized' },
];

// prettier-ignore
const contentTypes: Case[] = [
  { name: 'text/plain', request: (t) => postResponse(aResponse(t), { 'content-type': 'text/plain' }), status: 415, code: 'unsupported_media_type' },
  { name: 'no content type', request: (t) => postResponse(Buffer.from(JSON.stringify(aResponse(t)))), status: 415, code: 'unsupported_media_type' },
  { name: 'application/xml', request: (t) => postResponse(`<response><surveyId>${t.surveyId}</surveyId></response>`, { 'content-type': 'application/xml' }), status: 415, code: 'unsupported_media_type' },
  { name: 'a form body (JSON only on this route)', request: (t) => postResponse(`surveyId=${t.surveyId}&nps=9`, { 'content-type': 'application/x-www-form-urlencoded' }), status: 415, code: 'unsupported_media_type' },
  { name: 'multipart/form-data', request: () => postResponse(`--b\r\nContent-Disposition: form-data; name="nps"\r\n\r\n9\r\n--b--`, { 'content-type': 'multipart/form-data; boundary=b' }), status: 415, code: 'unsupported_media_type' },
  { name: 'application/json-patch+json', request: (t) => postResponse(aResponse(t), { 'content-type': 'application/json-patch+json' }), status: 415, code: 'unsupported_media_type' },
  { name: 'text/plain on PUT survey', request: (t) => putSurvey(t.freshSurveyId, aSurvey(), { 'content-type': 'text/plain' }), status: 415, code: 'unsupported_media_type' },
  { name: 'text/html on PUT customer', request: (t) => putCustomer(t.freshCustomerId, aCustomer(), { 'content-type': 'text/html' }), status: 415, code: 'unsupported_media_type' },
];

// prettier-ignore
const sizes: Case[] = [
  { name: 'a response body of 16 KiB + 1 byte', request: (t) => postResponse(padTo(aResponse(t), 16 * 1024 + 1)), status: 413, code: 'payload_too_large' },
  { name: 'a body over 16 KiB in bytes but not in characters', request: (t) => postResponse(aResponse(t, { comment: 'ş'.repeat(8500) })), status: 413, code: 'payload_too_large' },
  { name: 'a survey body of 64 KiB', request: (t) => putSurvey(t.freshSurveyId, aSurvey({ name: 'n'.repeat(64 * 1024) })), status: 413, code: 'payload_too_large' },
  { name: 'a customer body over 16 KiB', request: (t) => putCustomer(t.freshCustomerId, aCustomer({ name: 'n'.repeat(17_000) })), status: 413, code: 'payload_too_large' },
  { name: 'a body of exactly 16 KiB is read (its comment is too long, 400)', request: (t) => postResponse(padTo(aResponse(t), 16 * 1024)), status: 400, code: 'validation_failed', path: 'comment' },
];

/** The body with its comment grown until the JSON is exactly `bytes` long. */
function padTo(body: Record<string, unknown>, bytes: number) {
  const empty = Buffer.byteLength(JSON.stringify({ ...body, comment: '' }));
  return JSON.stringify({ ...body, comment: 'x'.repeat(bytes - empty) });
}

// prettier-ignore
const idempotencyKeys: Case[] = [
  { name: 'an empty Idempotency-Key', request: (t) => postResponse(aResponse(t), { 'idempotency-key': '' }), status: 400, code: 'validation_failed', path: 'Idempotency-Key' },
  { name: 'an Idempotency-Key of 256 characters', request: (t) => postResponse(aResponse(t), { 'idempotency-key': `${t.key}-${'k'.repeat(256)}` }), status: 400, code: 'validation_failed', path: 'Idempotency-Key' },
  { name: 'an Idempotency-Key with a space', request: (t) => postResponse(aResponse(t), { 'idempotency-key': `${t.key} x` }), status: 400, code: 'validation_failed', path: 'Idempotency-Key' },
  { name: 'an Idempotency-Key with a tab', request: (t) => postResponse(aResponse(t), { 'idempotency-key': `${t.key}\tx` }), status: 400, code: 'validation_failed', path: 'Idempotency-Key' },
  { name: 'an Idempotency-Key with a Latin-1 character', request: (t) => postResponse(aResponse(t), { 'idempotency-key': `${t.key}\u00e9` }), status: 400, code: 'validation_failed', path: 'Idempotency-Key' },
];

// prettier-ignore
const surveyBodies: Case[] = [
  { name: 'survey: no questions', request: (t) => putSurvey(t.freshSurveyId, aSurvey({ questions: [] })), status: 400, code: 'validation_failed', path: 'questions' },
  { name: 'survey: a question twice', request: (t) => putSurvey(t.freshSurveyId, aSurvey({ questions: ['nps', 'nps'] })), status: 400, code: 'validation_failed', path: 'questions' },
  { name: 'survey: only a comment', request: (t) => putSurvey(t.freshSurveyId, aSurvey({ questions: ['comment'] })), status: 400, code: 'validation_failed', path: 'questions' },
  { name: 'survey: an unknown question', request: (t) => putSurvey(t.freshSurveyId, aSurvey({ questions: ['nps', 'stars'] })), status: 400, code: 'validation_failed', path: 'questions.1' },
  { name: 'survey: negative recontactDays', request: (t) => putSurvey(t.freshSurveyId, aSurvey({ recontactDays: -1 })), status: 400, code: 'validation_failed', path: 'recontactDays' },
  { name: 'survey: fractional recontactDays', request: (t) => putSurvey(t.freshSurveyId, aSurvey({ recontactDays: 1.5 })), status: 400, code: 'validation_failed', path: 'recontactDays' },
  { name: 'survey: recontactDays as a string', request: (t) => putSurvey(t.freshSurveyId, aSurvey({ recontactDays: '7' })), status: 400, code: 'validation_failed', path: 'recontactDays' },
  { name: 'survey: four segmentBy attributes', request: (t) => putSurvey(t.freshSurveyId, aSurvey({ segmentBy: ['a', 'b', 'c', 'd'] })), status: 400, code: 'validation_failed', path: 'segmentBy' },
  { name: 'survey: an empty name', request: (t) => putSurvey(t.freshSurveyId, aSurvey({ name: '' })), status: 400, code: 'validation_failed', path: 'name' },
  { name: 'survey: anonymous as "yes"', request: (t) => putSurvey(t.freshSurveyId, aSurvey({ anonymous: 'yes' })), status: 400, code: 'validation_failed', path: 'anonymous' },
  { name: 'survey: an unknown field', request: (t) => putSurvey(t.freshSurveyId, aSurvey({ owner: 'me' })), status: 400, code: 'validation_failed', path: 'owner' },
  { name: 'survey: a "__proto__" key', request: (t) => putSurvey(t.freshSurveyId, withRawMember(aSurvey(), '"__proto__":{"anonymous":true}')), status: 400, code: 'validation_failed', path: '__proto__' },
  { name: 'survey: an array body', request: (t) => putSurvey(t.freshSurveyId, [aSurvey()]), status: 400, code: 'validation_failed' },
  { name: 'survey: no body', request: (t) => ({ ...putSurvey(t.freshSurveyId, undefined), headers: JSON_TYPE }), status: 400, code: 'validation_failed' },
];

// prettier-ignore
const customerBodies: Case[] = [
  { name: 'customer: no email', request: (t) => putCustomer(t.freshCustomerId, omit(aCustomer(), 'email')), status: 400, code: 'validation_failed', path: 'email' },
  { name: 'customer: an invalid email', request: (t) => putCustomer(t.freshCustomerId, aCustomer({ email: 'a@b@example.com' })), status: 400, code: 'validation_failed', path: 'email' },
  { name: 'customer: an email with a header injection', request: (t) => putCustomer(t.freshCustomerId, aCustomer({ email: 'a@example.com\r\nBcc: all@example.com' })), status: 400, code: 'validation_failed', path: 'email' },
  { name: 'customer: birthday 02-30', request: (t) => putCustomer(t.freshCustomerId, aCustomer({ birthday: '02-30' })), status: 400, code: 'validation_failed', path: 'birthday' },
  { name: 'customer: birthday in month 13', request: (t) => putCustomer(t.freshCustomerId, aCustomer({ birthday: '1990-13-01' })), status: 400, code: 'validation_failed', path: 'birthday' },
  { name: 'customer: a locale that is not BCP 47', request: (t) => putCustomer(t.freshCustomerId, aCustomer({ locale: 'not a locale' })), status: 400, code: 'validation_failed', path: 'locale' },
  { name: 'customer: an unknown time zone', request: (t) => putCustomer(t.freshCustomerId, aCustomer({ timezone: 'Mars/Olympus_Mons' })), status: 400, code: 'validation_failed', path: 'timezone' },
  { name: 'customer: 21 attributes', request: (t) => putCustomer(t.freshCustomerId, aCustomer({ attributes: manyEntries(21) })), status: 400, code: 'validation_failed', path: 'attributes' },
  { name: 'customer: an object as an attribute value', request: (t) => putCustomer(t.freshCustomerId, aCustomer({ attributes: { plan: { tier: 'pro' } } })), status: 400, code: 'validation_failed', path: 'attributes.plan' },
  { name: 'customer: an attribute name with a space', request: (t) => putCustomer(t.freshCustomerId, aCustomer({ attributes: { 'my plan': 'pro' } })), status: 400, code: 'validation_failed' },
  { name: 'customer: a "__proto__" attribute', request: (t) => putCustomer(t.freshCustomerId, withRawMember(omit(aCustomer(), 'attributes'), '"attributes":{"__proto__":{"isAdmin":true}}')), status: 400, code: 'validation_failed', path: 'attributes.__proto__' },
  { name: 'customer: unsubscribed set by the caller', request: (t) => putCustomer(t.freshCustomerId, aCustomer({ unsubscribed: false })), status: 400, code: 'validation_failed' },
];

// prettier-ignore
const links: Case[] = [
  { name: 'link: expiresInDays 0', request: (t) => postLink(t.surveyId, { customerId: t.freshCustomerId, expiresInDays: 0 }), status: 400, code: 'validation_failed', path: 'expiresInDays' },
  { name: 'link: expiresInDays 366', request: (t) => postLink(t.surveyId, { customerId: t.freshCustomerId, expiresInDays: 366 }), status: 400, code: 'validation_failed', path: 'expiresInDays' },
  { name: 'link: expiresInDays 1.5', request: (t) => postLink(t.surveyId, { customerId: t.freshCustomerId, expiresInDays: 1.5 }), status: 400, code: 'validation_failed', path: 'expiresInDays' },
  { name: 'link: expiresInDays as a string', request: (t) => postLink(t.surveyId, { customerId: t.freshCustomerId, expiresInDays: '30' }), status: 400, code: 'validation_failed', path: 'expiresInDays' },
  { name: 'link: no customerId', request: (t) => postLink(t.surveyId, {}), status: 400, code: 'validation_failed', path: 'customerId' },
  { name: 'link: a null body', request: (t) => postLink(t.surveyId, 'null'), status: 400, code: 'validation_failed', path: 'customerId' },
  { name: 'link: a customerId with a right-to-left override', request: (t) => postLink(t.surveyId, { customerId: `${t.freshCustomerId}\u202Egpj` }), status: 400, code: 'validation_failed', path: 'customerId' },
  { name: 'link: a customerId of 129 characters', request: (t) => postLink(t.surveyId, { customerId: `${t.freshCustomerId}${'x'.repeat(129)}` }), status: 400, code: 'validation_failed', path: 'customerId' },
  { name: 'link: an unknown field', request: (t) => postLink(t.surveyId, { customerId: t.freshCustomerId, surveyId: t.otherSurveyId }), status: 400, code: 'validation_failed' },
  { name: 'link: a survey that does not exist', request: (t) => postLink(t.freshSurveyId, { customerId: t.freshCustomerId }), status: 404, code: 'not_found' },
];

// prettier-ignore
const pathIds: Case[] = [
  { name: 'path: an upper-case surveyId', request: (t) => putSurvey(t.freshSurveyId.toUpperCase(), aSurvey()), status: 400, code: 'validation_failed' },
  { name: 'path: a surveyId of 65 characters', request: (t) => putSurvey(`${t.freshSurveyId}-${'a'.repeat(64)}`, aSurvey()), status: 400, code: 'validation_failed' },
  { name: 'path: a surveyId starting with a dash', request: (t) => putSurvey(`-${t.freshSurveyId}`, aSurvey()), status: 400, code: 'validation_failed' },
  { name: 'path: a surveyId with an encoded NUL', request: (t) => putSurvey(`${t.freshSurveyId}%00`, aSurvey()), status: 400, code: 'validation_failed' },
  { name: 'path: a surveyId with an encoded slash', request: (t) => putSurvey(`${t.freshSurveyId}%2F..%2Fx`, aSurvey()), status: 400, code: 'validation_failed' },
  { name: 'path: a surveyId with an encoded right-to-left override', request: (t) => putSurvey(`${t.freshSurveyId}%E2%80%AE`, aSurvey()), status: 400, code: 'validation_failed' },
  { name: 'path: a surveyId with malformed percent-encoding', request: (t) => putSurvey(`${t.freshSurveyId}%E0%A4%A`, aSurvey()), status: 400, code: 'validation_failed' },
  { name: 'path: a bad surveyId on GET', request: (t) => ({ method: 'GET', path: `/v1/surveys/${t.freshSurveyId}%20x`, admin: true }), status: 400, code: 'validation_failed' },
  { name: 'path: a bad surveyId on POST links', request: (t) => postLink(`${t.freshSurveyId}%3Cscript%3E`, { customerId: t.customerId }), status: 400, code: 'validation_failed' },
  { name: 'path: a customerId with a space', request: (t) => putCustomer(`${t.freshCustomerId}%20x`, aCustomer()), status: 400, code: 'validation_failed' },
  { name: 'path: a customerId of 129 characters', request: (t) => putCustomer(`${t.freshCustomerId}${'x'.repeat(129)}`, aCustomer()), status: 400, code: 'validation_failed' },
  { name: 'path: a customerId with an encoded NUL', request: (t) => putCustomer(`${t.freshCustomerId}%00`, aCustomer()), status: 400, code: 'validation_failed' },
  { name: 'path: a customerId with an encoded right-to-left override', request: (t) => putCustomer(`${t.freshCustomerId}%E2%80%AE`, aCustomer()), status: 400, code: 'validation_failed' },
  { name: 'path: a customerId with malformed percent-encoding', request: (t) => ({ method: 'GET', path: `/v1/customers/${t.freshCustomerId}%ZZ`, admin: true }), status: 400, code: 'validation_failed' },
  { name: 'route: DELETE on a survey', request: (t) => ({ method: 'DELETE', path: `/v1/surveys/${t.surveyId}`, admin: true }), status: 404, code: 'not_found' },
  { name: 'route: an unknown path', request: (t) => ({ method: 'POST', path: `/v1/surveys/${t.surveyId}/admin`, body: {}, admin: true }), status: 404, code: 'not_found' },
];

const postEvent = (t: Target, overrides: Record<string, unknown> = {}, headers?: Record<string, string>): Hostile => ({
  method: 'POST',
  path: '/v1/events',
  body: { eventId: t.key, customerId: t.customerId, type: 'purchase', ...overrides },
  headers,
  admin: true,
});
const postInvitations = (surveyId: string, body: unknown): Hostile => ({
  method: 'POST',
  path: `/v1/surveys/${surveyId}/invitations`,
  body,
  admin: true,
});
const forgedCursor = (surveyId: string) =>
  Buffer.from(JSON.stringify({ pk: 'RESPONSE#x', sk: '#RESPONSE', gsi1pk: `SURVEYINVITES#${surveyId}`, gsi1sk: 'x' })).toString(
    'base64url',
  );

// prettier-ignore
const asking: Case[] = [
  { name: 'event: a "__proto__" property', request: (t) => ({ ...postEvent(t), body: withRawMember({ eventId: t.key, customerId: t.customerId, type: 'purchase' }, '"properties":{"__proto__":{"admin":true}}') }), status: 400, code: 'validation_failed', path: 'properties.__proto__' },
  { name: 'event: a lone surrogate in a property', request: (t) => postEvent(t, { properties: { note: 'a\ud800b' } }), status: 400, code: 'validation_failed', path: 'properties.note' },
  { name: 'event: properties as an array', request: (t) => postEvent(t, { properties: ['a'] }), status: 400, code: 'validation_failed', path: 'properties' },
  { name: 'event: an eventId of 129 characters', request: (t) => postEvent(t, { eventId: `${t.key}${'x'.repeat(129)}` }), status: 400, code: 'validation_failed', path: 'eventId' },
  { name: 'event: occurredAt a day ahead', request: (t) => postEvent(t, { occurredAt: new Date(Date.now() + 86_400_000).toISOString() }), status: 400, code: 'validation_failed', path: 'occurredAt' },
  { name: 'event: a customer with a bad email for a new customer', request: (t) => postEvent(t, { customerId: t.freshCustomerId, customer: aCustomer({ email: 'nope' }) }), status: 400, code: 'validation_failed', path: 'customer.email' },
  { name: 'event: an unknown customer without "customer"', request: (t) => postEvent(t, { customerId: t.freshCustomerId }), status: 404, code: 'not_found' },
  { name: 'event: text/plain', request: (t) => postEvent(t, {}, { 'content-type': 'text/plain' }), status: 415, code: 'unsupported_media_type' },
  { name: 'event: a body over 16 KiB', request: (t) => postEvent(t, { properties: manyEntries(20, () => 'x'.repeat(256)), customer: aCustomer({ name: 'n'.repeat(200) }), pad: 'x'.repeat(16_000) }), status: 413, code: 'payload_too_large' },
  { name: 'event: without Authorization', request: (t) => ({ ...postEvent(t), admin: false }), status: 401, code: 'unauthorized' },
  { name: 'invitations: a "__proto__" key', request: (t) => postInvitations(t.surveyId, withRawMember({ customerIds: [t.customerId] }, '"__proto__":{"dryRun":false}')), status: 400, code: 'validation_failed', path: '__proto__' },
  { name: 'invitations: customerIds as a string', request: (t) => postInvitations(t.surveyId, { customerIds: t.customerId }), status: 400, code: 'validation_failed', path: 'customerIds' },
  { name: 'invitations: a survey that does not exist', request: (t) => postInvitations(t.freshSurveyId, { customerIds: [t.customerId] }), status: 404, code: 'not_found' },
  { name: 'invitations: a forged cursor', request: (t) => ({ method: 'GET', path: `/v1/surveys/${t.surveyId}/invitations?cursor=${forgedCursor(t.surveyId)}`, admin: true }), status: 400, code: 'validation_failed', path: 'cursor' },
];

const putWebhook = (webhookId: string, body: unknown, headers?: Record<string, string>): Hostile => ({
  method: 'PUT',
  path: `/v1/webhooks/${webhookId}`,
  body,
  headers,
  admin: true,
});
const aWebhook = { url: 'https://hooks.example.com/feedback', events: ['alert.detractor'] };

// prettier-ignore
const webhooks: Case[] = [
  { name: 'webhook: a "__proto__" key', request: (t) => putWebhook(t.freshSurveyId, withRawMember(aWebhook, '"__proto__":{"secret":"mine"}')), status: 400, code: 'validation_failed', path: '__proto__' },
  { name: 'webhook: events as a string', request: (t) => putWebhook(t.freshSurveyId, { ...aWebhook, events: 'alert.detractor' }), status: 400, code: 'validation_failed', path: 'events' },
  { name: 'webhook: a javascript: url', request: (t) => putWebhook(t.freshSurveyId, { ...aWebhook, url: 'javascript:alert(1)' }), status: 400, code: 'validation_failed', path: 'url' },
  { name: 'webhook: a url to the metadata endpoint in IPv6 form', request: (t) => putWebhook(t.freshSurveyId, { ...aWebhook, url: 'https://[::ffff:a9fe:a9fe]/latest' }), status: 400, code: 'validation_failed', path: 'url' },
  { name: 'webhook: text/plain', request: (t) => putWebhook(t.freshSurveyId, aWebhook, { 'content-type': 'text/plain' }), status: 415, code: 'unsupported_media_type' },
  { name: 'webhook: a body over 16 KiB', request: (t) => putWebhook(t.freshSurveyId, { ...aWebhook, url: `https://hooks.example.com/${'x'.repeat(17_000)}` }), status: 413, code: 'payload_too_large' },
  { name: 'webhook: without Authorization', request: (t) => ({ ...putWebhook(t.freshSurveyId, aWebhook), admin: false }), status: 401, code: 'unauthorized' },
];

// prettier-ignore
const CASES: Case[] = [
  ...responseBodies,
  ...submittedAt,
  ...linkTokens,
  ...adminAuth,
  ...contentTypes,
  ...sizes,
  ...idempotencyKeys,
  ...surveyBodies,
  ...customerBodies,
  ...links,
  ...pathIds,
  ...asking,
  ...webhooks,
];

// ---- fixtures and the table check ----

let fixtures: Omit<Target, 'freshSurveyId' | 'freshCustomerId' | 'key'>;

async function givenFixtures() {
  const surveyId = await givenSurvey(api);
  const npsOnlySurveyId = await givenSurvey(api, { questions: ['nps'], anonymous: true });
  const otherSurveyId = await givenSurvey(api);
  const customerId = await givenCustomer(api);
  const { token } = await givenLink(api, surveyId, customerId);
  const { token: otherToken } = await givenLink(api, otherSurveyId, customerId);
  return { surveyId, npsOnlySurveyId, otherSurveyId, customerId, token, otherToken };
}

const freshTarget = (): Target => ({
  ...fixtures,
  freshSurveyId: uniqueId('fresh'),
  freshCustomerId: uniqueId('fresh'),
  key: uniqueId('key'),
});

/** The ids a case's request could have written under, or into, an item: each one checked in either case. */
const idsOf = (t: Target) => [
  t.surveyId,
  t.npsOnlySurveyId,
  t.otherSurveyId,
  t.customerId,
  t.freshSurveyId,
  t.freshCustomerId,
  t.key,
];

beforeAll(async () => {
  fixtures = await givenFixtures();
});

describe('hostile input', () => {
  it('has at least 30 cases, each named once', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s → rejected, nothing stored', async (_name, c) => {
    const t = freshTarget();
    const { method, path, ...options } = c.request(t);
    const watch = await watchTableWrites();

    const reply = await api.request(method, path, options);

    expectContractError(reply, c.status, c.code, c.path);
    expect(reply.text).not.toMatch(/\bat .+\.(ts|js):\d+|Exception|stack/i); // no internals in the body
    expect(writesNaming(await watch.written(), idsOf(t))).toEqual([]);
  });

  it('sees a write that names a target id, under any key, so "nothing stored" can fail', async () => {
    const t = freshTarget();
    const watch = await watchTableWrites();
    const item = { pk: `PROBE#${t.key.toUpperCase()}`, sk: '#PROBE', note: `for ${t.freshSurveyId}` };
    await testDb().send(new PutCommand({ TableName: table(), Item: item }));

    expect(writesNaming(await watch.written(), idsOf(t))).toEqual([
      { keys: { pk: item.pk, sk: item.sk }, before: undefined, after: item },
    ]);
  });

  it('accepts each factory request unbroken, so every case fails for its one defect', async () => {
    const t = { ...freshTarget(), ...(await givenFixtures()) };
    const survey = await api.request('PUT', `/v1/surveys/${t.freshSurveyId}`, { admin: true, body: aSurvey() });
    const customer = await api.request('PUT', `/v1/customers/${t.freshCustomerId}`, { admin: true, body: aCustomer() });
    const link = await api.request('POST', `/v1/surveys/${t.surveyId}/links`, {
      admin: true,
      body: { customerId: t.freshCustomerId },
    });
    const response = await api.request('POST', '/v1/responses', { body: aResponse(t), headers: { 'idempotency-key': t.key } });
    const watch = await watchTableWrites();
    const imported = await api.request('POST', '/v1/responses', {
      admin: true,
      body: aResponse(t, { token: undefined, customerId: t.customerId, submittedAt: '2025-03-01T00:00:00Z' }),
    });
    expect([survey.status, customer.status, link.status, response.status, imported.status]).toEqual([200, 200, 201, 201, 201]);
    // The check the cases rely on sees what an accepted request stores.
    expect(writesNaming(await watch.written(), idsOf(t)).map((w) => w.keys.pk)).toContain(`RESPONSE#${imported.body.responseId}`);
  });
});
