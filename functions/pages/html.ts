import { createHash } from 'node:crypto';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON for a `<script type="application/json">` block: nothing in it can close the tag or start markup. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The inline code of a page, allowed by hash. */
export interface InlineCode {
  scripts: readonly string[];
  styles: readonly string[];
}

/**
 * A strict Content-Security-Policy that allows exactly the given inline scripts and styles (by hash), same-origin
 * requests and nothing external but images from the given origins (the brand's logo), framed by the given origins
 * only (by default, by none). Hashes, not nonces: the pages' code is static, so the policy is too.
 */
export function contentSecurityPolicy(
  inline: InlineCode,
  frameAncestors: readonly string[] = [],
  imageOrigins: readonly string[] = [],
): string {
  return [
    "default-src 'none'",
    `script-src ${inline.scripts.map(sha256).join(' ')}`,
    `style-src ${inline.styles.map(sha256).join(' ')}`,
    ['img-src data:', ...imageOrigins].join(' '),
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    `frame-ancestors ${frameAncestors.length ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}

/**
 * Headers every HTML page carries, its CSP among them. No referrer: a survey link's token must not leak through a
 * click. X-Frame-Options cannot name origins, so a page some origins may frame leaves framing to the CSP's
 * frame-ancestors (which browsers apply over X-Frame-Options anyway); any other page is DENY in both.
 */
export function pageHeaders(
  inline: InlineCode,
  frameAncestors: readonly string[] = [],
  imageOrigins: readonly string[] = [],
): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(inline, frameAncestors, imageOrigins),
    'referrer-policy': 'no-referrer',
    ...(frameAncestors.length ? {} : { 'x-frame-options': 'DENY' }),
    'x-robots-tag': 'noindex, nofollow',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
}

export interface Document {
  lang: string;
  title: string;
  style: string;
  body: string;
  script?: string;
  /** JSON handed to the script in a data block (not executed, so outside the CSP). */
  data?: unknown;
}

/**
 * The page shell: inline style and script only, so the page needs nothing from anywhere else. The empty icon keeps
 * browsers from asking for /favicon.ico (a Lambda invocation for a 404).
 */
export function renderDocument(doc: Document): string {
  return `<!doctype html>
<html lang="${escapeHtml(doc.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="data:,">
<title>${escapeHtml(doc.title)}</title>
<style>${doc.style}</style>
</head>
<body>
${doc.body}
${doc.data === undefined ? '' : `<script type="application/json" id="page-data">${jsonForScript(doc.data)}</script>\n`}${doc.script ? `<script>${doc.script}</script>` : ''}
</body>
</html>
`;
}
