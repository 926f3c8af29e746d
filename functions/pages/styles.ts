/** The pages' shared look: system fonts, one accent colour, visible focus, light and dark. No external resource. */
export const BASE_CSS = `
:root{--bg:#f4f5f8;--card:#fff;--text:#1c2030;--muted:#5b6275;--line:#dde0e8;--accent:#3949ab;--accent-ink:#fff;
--accent-soft:#e8eaf6;--focus:#ff9800;--ok:#2e7d32;--warn:#9e9e9e;--bad:#c62828;--bad-soft:#fdecea;--radius:12px;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#12141c;--card:#1c1f2b;--text:#e8eaf2;--muted:#a2a8bb;--line:#333849;
--accent:#8c9eff;--accent-ink:#10121a;--accent-soft:#272d4a;--ok:#66bb6a;--warn:#8d93a5;--bad:#ef5350;--bad-soft:#3a2020}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Ubuntu,Cantarell,"Helvetica Neue",Arial,sans-serif}
h1,h2,h3{line-height:1.25;margin:0 0 .5rem}
p{margin:0 0 1rem}
button,input,select,textarea{font:inherit;color:inherit}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
[hidden]{display:none!important}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.muted{color:var(--muted)}
.btn{display:inline-flex;align-items:center;justify-content:center;gap:.5rem;min-height:44px;padding:.6rem 1.25rem;border-radius:10px;
border:1px solid var(--accent);background:var(--accent);color:var(--accent-ink);font-weight:600;cursor:pointer}
.btn:hover{filter:brightness(1.08)}
.btn:disabled{opacity:.6;cursor:progress}
.btn.secondary{background:transparent;color:var(--accent)}
.notice{padding:.75rem 1rem;border-radius:10px;background:var(--accent-soft);border-left:4px solid var(--accent)}
.error{color:var(--bad)}
.notice.error{background:transparent;border:1px solid var(--bad);border-left-width:4px}
`;
