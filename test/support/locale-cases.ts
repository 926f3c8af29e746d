/** The survey page's language choice: `lang` query, Accept-Language header, the locale picked. */
export const PAGE_LOCALE_CASES: ReadonlyArray<readonly [string | undefined, string | undefined, string]> = [
  [undefined, undefined, 'en'],
  [undefined, 'de-DE, fr;q=0.9', 'en'],
  [undefined, 'sr-Latn-RS, en;q=0.5', 'sr'],
  [undefined, 'de, tr;q=0.2, et;q=0.8', 'et'],
  [undefined, 'en;q=0, et;q=0.1', 'et'],
  [undefined, 'et;q=abc, tr;q=0.3', 'tr'],
  ['TR', 'et', 'tr'],
  ['xx', 'et-EE,et;q=0.9', 'et'],
];
