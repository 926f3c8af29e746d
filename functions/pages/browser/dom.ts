/** Typed access to the page's own elements: a missing or mistyped element is a bug in the page, so it throws. */

type ElementType<T extends Element> = { new (): T; prototype: T };

export function byId<T extends HTMLElement>(id: string, type: ElementType<T>): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`#${id} is not a ${type.name}`);
  return node;
}

/** An element the page has only sometimes (a survey without a comment question, say). */
export function optionalById<T extends HTMLElement>(id: string, type: ElementType<T>): T | null {
  const node = document.getElementById(id);
  return node instanceof type ? node : null;
}

/** The JSON the server handed over in `<script type="application/json" id="page-data">` (see renderDocument). */
export function pageData<T>(): T {
  return JSON.parse(byId('page-data', HTMLScriptElement).textContent ?? 'null') as T;
}
