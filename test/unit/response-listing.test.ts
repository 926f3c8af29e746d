import { describe, expect, it } from 'vitest';
import { decodeCursor, positionWithin } from '../../functions/data/response-listing.ts';

const cursorOf = (place: string) => Buffer.from(place, 'utf8').toString('base64url');
const ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

describe('decodeCursor', () => {
  it('reads back the place a nextCursor names', () => {
    expect(decodeCursor(cursorOf(`2026-10-05T12:00:00.000Z#${ID}`))).toEqual({
      submittedAt: '2026-10-05T12:00:00.000Z',
      responseId: ID,
    });
  });

  it.each([
    ['a loose date', `1#${ID}`],
    ['a date only', `2026-10-05#${ID}`],
    ['an offset instead of Z', `2026-10-05T12:00:00.000+01:00#${ID}`],
    ['an impossible day', `2026-02-30T12:00:00.000Z#${ID}`],
    ['an impossible hour', `2026-10-05T25:00:00.000Z#${ID}`],
    ['a bad id', '2026-10-05T12:00:00.000Z#nope'],
    ['two separators', `2026-10-05T12:00:00.000Z#${ID}#${ID}`],
    ['no separator', '2026-10-05T12:00:00.000Z'],
  ])('refuses %s', (_, place) => {
    expect(decodeCursor(cursorOf(place))).toBeUndefined();
  });

  it('refuses text that is not base64url as encodeCursor writes it', () => {
    expect(decodeCursor('')).toBeUndefined();
    expect(decodeCursor('a+b/')).toBeUndefined();
    expect(decodeCursor(`${cursorOf(`2026-10-05T12:00:00.000Z#${ID}`)}A`)).toBeUndefined();
  });
});

describe('positionWithin', () => {
  const at = (submittedAt: string) => ({ submittedAt, responseId: ID });
  it('accepts a place on the first and last day of the range, and any place without bounds', () => {
    expect(positionWithin(at('2026-10-02T00:00:00.000Z'), { from: '2026-10-02', to: '2026-10-03' })).toBe(true);
    expect(positionWithin(at('2026-10-03T23:59:59.999Z'), { from: '2026-10-02', to: '2026-10-03' })).toBe(true);
    expect(positionWithin(at('1999-01-01T00:00:00.000Z'), {})).toBe(true);
  });
  it('refuses a place before from or after to', () => {
    expect(positionWithin(at('2026-10-01T23:59:59.999Z'), { from: '2026-10-02' })).toBe(false);
    expect(positionWithin(at('2026-10-04T00:00:00.000Z'), { to: '2026-10-03' })).toBe(false);
  });
});
