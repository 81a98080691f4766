// @ts-check
// The lorebook editor, a section of the character editor. It edits a
// Character Card V2 `character_book` (snake_case keys, as the spec spells
// them) and must be lossless: the book and each entry start as copies of
// what was stored, and a field is written back only when its control was
// changed, so fields Parley does not show (extensions, ids, `use_regex`, a
// key with a comma in it) come back exactly as they were.

import { h, field, input, textarea, newId, splitTags } from '../dom.js';
import { t } from '../i18n.js';

/**
 * @typedef {{keys: string[], content: string, extensions: Record<string, unknown>, enabled: boolean,
 *   insertion_order: number, case_sensitive?: boolean, name?: string, priority?: number, id?: number,
 *   comment?: string, selective?: boolean, secondary_keys?: string[], constant?: boolean,
 *   position?: 'before_char'|'after_char', [k: string]: unknown}} LoreEntry
 * @typedef {{name?: string, description?: string, scan_depth?: number, token_budget?: number,
 *   recursive_scanning?: boolean, extensions: Record<string, unknown>, entries: unknown[],
 *   [k: string]: unknown}} CharacterBook
 */

/** Insertion order of a new entry (SillyTavern's default too). */
const DEFAULT_ORDER = 100;

/** @param {unknown} v @returns {v is Record<string, unknown>} */
function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A key list as the input shows it. @param {unknown} keys */
function keysText(keys) {
  if (Array.isArray(keys)) return keys.map(String).join(', ');
  return typeof keys === 'string' ? keys : '';
}

/** @param {unknown} n */
function numberText(n) {
  return typeof n === 'number' && Number.isFinite(n) ? String(n) : '';
}

/**
 * A control whose value is written back only when the person changed it.
 * @typedef {{changed: () => boolean, write: (target: Record<string, unknown>) => void}} Binding
 */

/**
 * @param {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} el
 * @param {(target: Record<string, unknown>, value: string) => void} write
 * @returns {Binding}
 */
function bindValue(el, write) {
  const initial = el.value;
  return { changed: () => el.value !== initial, write: (t) => write(t, el.value) };
}

/** @param {HTMLInputElement} el @param {string} key @returns {Binding} */
function bindCheck(el, key) {
  const initial = el.checked;
  return { changed: () => el.checked !== initial, write: (t) => { t[key] = el.checked; } };
}

/**
 * Writes a number field: empty removes it (the default applies), a number sets it.
 * @param {string} key
 * @param {boolean} [required] an empty required field keeps what it had
 */
function numberWriter(key, required = false) {
  return (/** @type {Record<string, unknown>} */ t, /** @type {string} */ v) => {
    const text = v.trim();
    if (text === '') {
      if (!required) delete t[key];
      return;
    }
    const n = Number(text);
    if (Number.isFinite(n)) t[key] = n;
  };
}

/** @param {string} label @param {HTMLInputElement} box */
function checkField(label, box) {
  if (!box.id) box.id = newId('lore-check');
  return h('div', { class: 'field check' }, box, h('label', { for: box.id }, label));
}

/**
 * One entry: its controls and how to read it back.
 * @param {unknown} original the stored entry, or a new one
 * @param {() => void} onRemove
 */
function entryEditor(original, onRemove) {
  const title = h('span', { class: 'lore-entry-title' });
  const summaryKeys = h('span', { class: 'lore-entry-keys' });
  const remove = h('button', { type: 'button', class: 'btn subtle small lore-remove', onclick: () => onRemove() }, t('lorebook.remove'));
  // Folded to one line (its keys) until opened; a long book stays short.
  const fold = h('details', { class: 'lore-fold' }, h('summary', { class: 'lore-entry-head' }, title, summaryKeys));
  const li = h('li', { class: 'lore-entry' }, fold);
  /** @param {string} text */
  const showKeys = (text) => {
    summaryKeys.textContent = text.trim() ? text : t('lorebook.noKeys');
  };

  if (!isObject(original)) {
    // Not an object: nothing to edit, but it is kept unless removed.
    showKeys('');
    fold.append(h('p', { class: 'hint' }, t('lorebook.unreadableEntry')), h('div', { class: 'lore-entry-foot' }, remove));
    return { element: li, title, remove, fold, read: () => original };
  }
  const e = original;
  const name = input('loreName', typeof e.name === 'string' ? e.name : '', { class: 'lore-name' });
  const comment = input('loreComment', typeof e.comment === 'string' ? e.comment : '', { class: 'lore-comment' });
  const keys = input('loreKeys', keysText(e.keys), { class: 'lore-keys', spellcheck: 'false' });
  const secondary = input('loreSecondary', keysText(e.secondary_keys), { class: 'lore-secondary', spellcheck: 'false' });
  const content = textarea('loreContent', typeof e.content === 'string' ? e.content : '', { class: 'lore-content', rows: 4 });
  const enabled = h('input', { type: 'checkbox', class: 'lore-enabled', checked: e.enabled !== false });
  const constant = h('input', { type: 'checkbox', class: 'lore-constant', checked: e.constant === true });
  const selective = h('input', { type: 'checkbox', class: 'lore-selective', checked: e.selective === true });
  const caseSensitive = h('input', { type: 'checkbox', class: 'lore-case', checked: e.case_sensitive === true });
  const order = input('loreOrder', numberText(e.insertion_order), { type: 'number', step: 1, class: 'lore-order' });
  const position = h(
    'select',
    { name: 'lorePosition', class: 'lore-position' },
    h('option', { value: 'before_char' }, t('lorebook.beforeChar')),
    h('option', { value: 'after_char' }, t('lorebook.afterChar')),
  );
  position.value = e.position === 'after_char' ? 'after_char' : 'before_char';

  /** @type {Binding[]} */
  const bindings = [
    bindValue(name, (t, v) => { t.name = v; }),
    bindValue(comment, (t, v) => { t.comment = v; }),
    bindValue(keys, (t, v) => { t.keys = splitTags(v); }),
    bindValue(secondary, (t, v) => { t.secondary_keys = splitTags(v); }),
    bindValue(content, (t, v) => { t.content = v; }),
    bindCheck(enabled, 'enabled'),
    bindCheck(constant, 'constant'),
    bindCheck(selective, 'selective'),
    bindCheck(caseSensitive, 'case_sensitive'),
    bindValue(order, numberWriter('insertion_order', true)),
    bindValue(position, (t, v) => { t.position = v; }),
  ];

  showKeys(keys.value);
  keys.addEventListener('input', () => showKeys(keys.value));
  fold.append(
    h(
      'div',
      { class: 'grid' },
      field(t('lorebook.name'), name),
      field(t('lorebook.comment'), comment, { hint: t('lorebook.commentHint') }),
      field(t('lorebook.keys'), keys, { hint: t('lorebook.keysHint') }),
      field(t('lorebook.secondaryKeys'), secondary, { hint: t('lorebook.secondaryKeysHint') }),
      field(t('lorebook.content'), content, { wide: true, hint: t('lorebook.contentHint') }),
    ),
    h(
      'div',
      { class: 'lore-options' },
      checkField(t('lorebook.enabled'), enabled),
      checkField(t('lorebook.constant'), constant),
      checkField(t('lorebook.selective'), selective),
      checkField(t('lorebook.caseSensitive'), caseSensitive),
      field(t('lorebook.insertionOrder'), order),
      field(t('lorebook.position'), position),
    ),
    h('div', { class: 'lore-entry-foot' }, remove),
  );
  return {
    element: li,
    title,
    remove,
    fold,
    read: () => {
      /** @type {Record<string, unknown>} */
      const out = { ...e };
      for (const b of bindings) if (b.changed()) b.write(out);
      return out;
    },
  };
}

/**
 * The lorebook section. `read()` gives the book to save (null when the
 * character has none and none was started).
 * @param {unknown} stored `character.characterBook` as loaded
 */
export function lorebookEditor(stored) {
  const headingId = newId('lorebook');
  const section = h(
    'section',
    { class: 'form-section lorebook', id: 'lorebook', data: { field: 'characterBook' }, 'aria-labelledby': headingId },
    h('h2', { id: headingId }, t('lorebook.title')),
    h('p', { class: 'hint' }, t('lorebook.intro')),
  );

  if (stored !== null && stored !== undefined && !isObject(stored)) {
    section.append(h('p', { class: 'empty' }, t('lorebook.unreadable')));
    return { element: section, read: () => stored };
  }

  /** @type {Record<string, unknown> | null} */
  let book = isObject(stored) ? stored : null;
  /** @type {Binding[]} */
  let bookBindings = [];
  /** @type {{element: HTMLElement, title: HTMLElement, remove: HTMLButtonElement, fold: HTMLDetailsElement, read: () => unknown}[]} */
  const rows = [];

  const noBook = h('p', { class: 'empty lore-none', id: 'lore-none' }, t('lorebook.none'));
  const settings = h('div', { class: 'grid lore-settings' });
  const list = h('ol', { class: 'lore-entries', id: 'lore-entries', 'aria-label': t('lorebook.entries') });
  const noEntries = h('p', { class: 'empty lore-no-entries' }, t('lorebook.noEntries'));
  const add = h('button', { type: 'button', id: 'lore-add', class: 'btn small', onclick: () => addNew() }, t('lorebook.addEntry'));

  function showBookSettings() {
    if (!book) return;
    const scanDepth = input('loreScanDepth', numberText(book.scan_depth), { type: 'number', min: 0, step: 1, id: 'lore-scan-depth' });
    const tokenBudget = input('loreTokenBudget', numberText(book.token_budget), { type: 'number', min: 0, step: 1, id: 'lore-token-budget' });
    bookBindings = [bindValue(scanDepth, numberWriter('scan_depth')), bindValue(tokenBudget, numberWriter('token_budget'))];
    settings.replaceChildren(
      field(t('lorebook.scanDepth'), scanDepth, { hint: t('lorebook.scanDepthHint') }),
      field(t('lorebook.tokenBudget'), tokenBudget, { hint: t('lorebook.tokenBudgetHint') }),
    );
  }

  function refresh() {
    noBook.hidden = book !== null;
    settings.hidden = book === null;
    noEntries.hidden = book === null || rows.length > 0;
    rows.forEach((row, i) => {
      row.title.textContent = t('lorebook.entryN', { n: i + 1 });
      row.remove.setAttribute('aria-label', t('lorebook.removeEntryN', { n: i + 1 }));
    });
  }

  /** @param {unknown} entry */
  function addRow(entry) {
    const row = entryEditor(entry, () => {
      const at = rows.indexOf(row);
      rows.splice(at, 1);
      row.element.remove();
      refresh();
      const next = rows[Math.min(at, rows.length - 1)];
      (next ? /** @type {HTMLElement} */ (next.fold.querySelector('summary')) : add).focus();
    });
    rows.push(row);
    list.append(row.element);
    return row;
  }

  function addNew() {
    if (!book) {
      book = { entries: [], extensions: {} };
      showBookSettings();
    }
    // A fresh id, unique among the entries on screen.
    const ids = rows.map((r) => r.read()).map((e) => (isObject(e) && typeof e.id === 'number' ? e.id : -1));
    /** @type {LoreEntry} */
    const entry = { id: Math.max(-1, ...ids) + 1, keys: [], content: '', extensions: {}, enabled: true, insertion_order: DEFAULT_ORDER };
    const row = addRow(entry);
    row.fold.open = true;
    refresh();
    /** @type {HTMLElement | null} */ (row.element.querySelector('.lore-keys'))?.focus();
  }

  if (book) {
    showBookSettings();
    for (const entry of Array.isArray(book.entries) ? book.entries : []) addRow(entry);
  }
  refresh();
  section.append(noBook, settings, list, noEntries, h('div', { class: 'lore-actions' }, add));

  return {
    element: section,
    /** @returns {unknown} */
    read: () => {
      if (!book) return null;
      /** @type {Record<string, unknown>} */
      const out = { ...book };
      for (const b of bookBindings) if (b.changed()) b.write(out);
      out.entries = rows.map((r) => r.read());
      return out;
    },
  };
}
