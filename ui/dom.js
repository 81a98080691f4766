// @ts-check
// Small DOM helpers. Text always goes in through textContent, so card and
// model text can never become markup. The one exception is
// setSanitizedHtml, for markdown_render's sanitised output and nothing else.

/**
 * @typedef {string | number | boolean | null | undefined} AttrValue
 * @typedef {Record<string, AttrValue | ((ev: any) => void) | Record<string, string>>} Attrs
 * @typedef {Node | string | number | null | undefined | false} Child
 */

/**
 * Builds an element. Attributes: `class`, `for`, `data` (object of dataset
 * entries), `on<event>` (a listener function), booleans (present when true),
 * `value` / `checked` (set as properties), anything else via setAttribute.
 * String children become text nodes.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function' && key.startsWith('on')) {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'data' && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    } else if (key === 'value' || key === 'checked' || key === 'selected') {
      /** @type {any} */ (el)[key] = value;
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {(Child | Child[])[]} children
 */
export function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces an element's content with HTML from `markdown_render`.
 *
 * ONLY for markdown_render's output: the Rust side renders it with
 * pulldown-cmark and sanitises it with ammonia (no scripts, no handlers, no
 * styles, no images; links only http/https/mailto). Never pass anything else
 * here; every other string goes in as text.
 * @param {Element} el
 * @param {string} html
 */
export function setSanitizedHtml(el, html) {
  el.innerHTML = html;
}

/** @param {Element} el */
export function clear(el) {
  el.replaceChildren();
}

let uid = 0;
/** A fresh element id with a readable prefix. @param {string} prefix */
export function newId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/**
 * A labelled form field: `<div class="field" data-field=name><label/>control<hint/></div>`.
 * The control's id is generated when missing so `<label for>` always works.
 * @param {string} label
 * @param {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} control
 * @param {{hint?: string, required?: boolean, wide?: boolean}} [opts]
 */
export function field(label, control, opts = {}) {
  if (!control.id) control.id = newId(`f-${control.name || 'x'}`);
  const hintId = opts.hint ? `${control.id}-hint` : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  if (opts.required) control.setAttribute('aria-required', 'true');
  return h(
    'div',
    { class: opts.wide ? 'field wide' : 'field', data: { field: control.name } },
    h('label', { for: control.id }, label, opts.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    control,
    hintId ? h('p', { class: 'hint', id: hintId }, opts.hint) : null,
  );
}

/**
 * @param {string} name
 * @param {string | number | null | undefined} value
 * @param {Attrs} [attrs]
 */
export function input(name, value, attrs = {}) {
  return h('input', { type: 'text', name, value: value === null || value === undefined ? '' : String(value), autocomplete: 'off', ...attrs });
}

/**
 * @param {string} name
 * @param {string | null | undefined} value
 * @param {Attrs} [attrs]
 */
export function textarea(name, value, attrs = {}) {
  return h('textarea', { name, rows: 4, value: value ?? '', ...attrs });
}

/**
 * @param {string} name
 * @param {{value: string, label: string, group?: string}[]} options
 * @param {string | null | undefined} selected
 * @param {Attrs} [attrs]
 */
export function select(name, options, selected, attrs = {}) {
  const el = h('select', { name, ...attrs });
  /** @type {Map<string, HTMLOptGroupElement>} */
  const groups = new Map();
  for (const o of options) {
    const opt = h('option', { value: o.value }, o.label);
    if (o.group) {
      let g = groups.get(o.group);
      if (!g) {
        g = h('optgroup', { label: o.group });
        groups.set(o.group, g);
        el.append(g);
      }
      g.append(opt);
    } else {
      el.append(opt);
    }
  }
  el.value = selected ?? '';
  return el;
}

/**
 * The string value of a named control of a form ('' when absent).
 * @param {HTMLFormElement} form
 * @param {string} name
 */
export function val(form, name) {
  const el = form.elements.namedItem(name);
  if (!el || el instanceof RadioNodeList) return '';
  return /** @type {HTMLInputElement} */ (el).value;
}

/**
 * A numeric control's value, or null when empty or not a number.
 * @param {HTMLFormElement} form
 * @param {string} name
 */
export function num(form, name) {
  const text = val(form, name).trim();
  if (text === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** A select's value with '' meaning null. @param {HTMLFormElement} form @param {string} name */
export function optId(form, name) {
  const v = val(form, name);
  return v === '' ? null : v;
}

/** Splits "a, b ,c" into ["a","b","c"]. @param {string} text */
export function splitTags(text) {
  return text.split(',').map((t) => t.trim()).filter(Boolean);
}

// Dates are written in the person's language: ui/i18n.js.
export { ago, when } from './i18n.js';
