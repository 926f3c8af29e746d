/** Listing cursors: a listing's position as base64url JSON, opaque to clients. Each listing checks the shape it made. */

export const encodeCursor = (position: unknown): string => Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');

/** The JSON a cursor holds; undefined when it is not base64url JSON of at most `maxLength` characters. */
export function decodeCursor(cursor: string, maxLength: number): unknown {
  if (cursor.length > maxLength || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
