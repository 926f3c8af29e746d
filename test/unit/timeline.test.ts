import { describe, expect, it } from 'vitest';
import {
  decodeTimelineCursor,
  encodeTimelineCursor,
  npsClassChanges,
  sortKeyBelow,
  timelineOrder,
  type TimelinePosition,
} from '../../functions/core/timeline.ts';

const T = '2026-11-28T10:00:00.000Z';

describe('npsClassChanges', () => {
  it.each([
    ['no answers', [], undefined, []],
    ['a first answer', [{ nps: 3 }], undefined, [undefined]],
    ['a move from before the list', [{ nps: 3 }], 10, [{ from: 'promoter', to: 'detractor' }]],
    ['the same class', [{ nps: 9 }, { nps: 10 }], undefined, [undefined, undefined]],
    [
      'answers without NPS in between',
      [{ nps: 7 }, {}, { nps: 0 }, {}],
      9,
      [{ from: 'detractor', to: 'passive' }, undefined, { from: 'promoter', to: 'detractor' }, undefined],
    ],
    [
      'the class boundaries',
      [{ nps: 9 }, { nps: 8 }, { nps: 7 }, { nps: 6 }],
      undefined,
      [{ from: 'passive', to: 'promoter' }, undefined, { from: 'detractor', to: 'passive' }, undefined],
    ],
  ] as const)('%s', (_name, newestFirst, older, expected) => {
    expect(npsClassChanges(newestFirst as ReadonlyArray<{ nps?: number }>, older)).toEqual(expected);
  });
});

describe('timeline order and cursors', () => {
  const items: TimelinePosition[] = [
    { at: '2026-11-28T10:00:01.000Z', kind: 'event', id: 'a' },
    { at: T, kind: 'unsubscribe', id: 'unsubscribed' },
    { at: T, kind: 'response', id: 'B' },
    { at: T, kind: 'response', id: 'A' },
    { at: T, kind: 'email', id: 'thanks#2026-11-28' },
    { at: T, kind: 'invitation', id: 'Z' },
    { at: T, kind: 'event', id: 'z' },
    { at: '2026-11-28T09:59:59.999Z', kind: 'unsubscribe', id: 'suppressed' },
  ];

  it('sorts newest first, then by kind, then by id, both descending', () => {
    expect([...items].reverse().sort(timelineOrder)).toEqual(items);
  });

  it("bounds each source's sort key to exactly the items after a cursor", () => {
    for (const [c, cursor] of items.entries()) {
      for (const [i, item] of items.entries()) {
        const below = `${item.at}#${item.id}` < sortKeyBelow(cursor, item.kind);
        expect(below, `${JSON.stringify(item)} after ${JSON.stringify(cursor)}`).toBe(i > c);
      }
    }
  });

  it('round-trips a cursor and refuses what it did not make', () => {
    for (const item of items) expect(decodeTimelineCursor(encodeTimelineCursor(item))).toEqual(item);
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    expect(decodeTimelineCursor(forged([T, 'note', 'a']))).toBeUndefined();
    expect(decodeTimelineCursor(forged(['yesterday', 'event', 'a']))).toBeUndefined();
    expect(decodeTimelineCursor(forged([T, 'event', '']))).toBeUndefined();
    expect(decodeTimelineCursor(forged({ at: T }))).toBeUndefined();
    expect(decodeTimelineCursor('%%%')).toBeUndefined();
  });
});
