// @ts-check
// Pieces every view uses: the error banner and field errors, a confirm
// dialog, a toast, and a paged list with "Load more".

import { h, clear } from './dom.js';
import { t } from './i18n.js';

/** @typedef {import('./api.js').AppError} AppError */

/** `base_url` -> `baseUrl`; `alternate_greetings[2]` -> `alternateGreetings`. @param {string} field */
export function fieldName(field) {
  const head = field.split(/[[.]/)[0];
  return head.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

function banner() {
  return /** @type {HTMLElement} */ (document.getElementById('error-banner'));
}

/**
 * @typedef {{label: string, run: () => void}} BannerAction a button in the banner that helps fix the problem
 */

/**
 * Shows a message in the banner at the top of the view, with an optional
 * button that leads to the fix ("Open chat settings").
 * @param {string} message
 * @param {BannerAction} [action]
 */
export function showBanner(message, action) {
  const el = banner();
  const text = /** @type {HTMLElement} */ (el.querySelector('.banner-text'));
  text.textContent = message;
  el.querySelector('.banner-action')?.remove();
  if (action) {
    const button = h('button', { type: 'button', class: 'btn small banner-action' }, action.label);
    button.addEventListener('click', () => {
      clearBanner();
      action.run();
    });
    text.after(button);
  }
  el.hidden = false;
}

export function clearBanner() {
  const el = banner();
  el.hidden = true;
  const text = el.querySelector('.banner-text');
  if (text) text.textContent = '';
  el.querySelector('.banner-action')?.remove();
}

/** Capitalises the first letter: back-end messages are lowercase sentences. @param {string} s */
export function sentence(s) {
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}

/**
 * Removes every field error of a form.
 * @param {HTMLFormElement} form
 */
export function clearFieldErrors(form) {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    const keep = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => !id.endsWith('-error'));
    if (keep.length) el.setAttribute('aria-describedby', keep.join(' '));
    else el.removeAttribute('aria-describedby');
  }
}

/**
 * Puts a message under the control named after `field`. Returns false when
 * the form has no such control (the caller then uses the banner).
 * @param {HTMLFormElement} form
 * @param {string} field snake_case name from the back end
 * @param {string} message
 */
export function showFieldError(form, field, message) {
  const name = fieldName(field);
  const wrapper = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
  const controls = /** @type {HTMLElement[]} */ ([...form.querySelectorAll(`[name="${CSS.escape(name)}"]`)]);
  if (!wrapper && controls.length === 0) return false;
  const first = controls[0];
  const errId = `${first?.id || name}-error`;
  const err = h('p', { class: 'field-error', id: errId }, sentence(message));
  if (first && controls.length === 1 && first.parentElement === wrapper) first.after(err);
  else (wrapper ?? first.parentElement ?? form).append(err);
  for (const c of controls) {
    c.setAttribute('aria-invalid', 'true');
    const described = c.getAttribute('aria-describedby');
    c.setAttribute('aria-describedby', described ? `${described} ${errId}` : errId);
    c.addEventListener(
      'input',
      () => {
        err.remove();
        c.removeAttribute('aria-invalid');
      },
      { once: true },
    );
  }
  // A field inside a closed <details> would hide its own error.
  const details = (first ?? wrapper)?.closest('details');
  if (details) details.open = true;
  first?.focus();
  return true;
}

/**
 * Shows a failed command's message: next to the field it names when the form
 * has that field, otherwise in the banner.
 * @param {unknown} e
 * @param {HTMLFormElement | null} [form]
 * @param {BannerAction} [action] offered in the banner
 */
export function showError(e, form, action) {
  const err = /** @type {AppError} */ (e && typeof e === 'object' && 'error' in e ? e : { error: String(e), type: 'InternalError', details: {} });
  const field = err.details?.field;
  if (form && typeof field === 'string' && field && showFieldError(form, field, err.error)) return;
  showBanner(sentence(err.error), action);
  if (!(e && typeof e === 'object' && 'error' in e)) console.warn(e);
}

/**
 * Runs a form submit: clears old errors, disables the submit buttons while
 * the command runs, and shows any error where it belongs.
 * @param {HTMLFormElement} form
 * @param {() => Promise<void>} action
 */
export async function submitting(form, action) {
  clearFieldErrors(form);
  clearBanner();
  const buttons = /** @type {HTMLButtonElement[]} */ ([...form.querySelectorAll('button')]);
  for (const b of buttons) b.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    await action();
  } catch (e) {
    showError(e, form);
  } finally {
    for (const b of buttons) b.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

/**
 * Asks before something that cannot be taken back. Resolves to true on "yes".
 * @param {{title: string, message: string, confirmLabel?: string, danger?: boolean}} opts
 * @returns {Promise<boolean>}
 */
export function confirmDialog(opts) {
  return new Promise((resolve) => {
    const previous = /** @type {HTMLElement | null} */ (document.activeElement);
    const titleId = 'confirm-title';
    /** @param {boolean} answer */
    const close = (answer) => {
      backdrop.remove();
      previous?.focus?.();
      resolve(answer);
    };
    const cancel = h('button', { type: 'button', class: 'btn', onclick: () => close(false) }, t('common.cancel'));
    const ok = h(
      'button',
      { type: 'button', class: opts.danger ? 'btn danger' : 'btn primary', id: 'confirm-ok', onclick: () => close(true) },
      opts.confirmLabel ?? t('common.ok'),
    );
    const dialog = h(
      'div',
      { class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId },
      h('h2', { id: titleId }, opts.title),
      h('p', { class: 'modal-text' }, opts.message),
      h('div', { class: 'modal-actions' }, cancel, ok),
    );
    const backdrop = h('div', { class: 'modal-backdrop' }, dialog);
    backdrop.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') close(false);
      if (ev.key === 'Tab') {
        // Keep focus inside the dialog.
        ev.preventDefault();
        (document.activeElement === cancel ? ok : cancel).focus();
      }
    });
    backdrop.addEventListener('mousedown', (ev) => {
      if (ev.target === backdrop) close(false);
    });
    document.body.append(backdrop);
    cancel.focus();
  });
}

/**
 * A modal dialog with a title, any content and a Close button (after any
 * `actions` of its own, in one row). Esc, the button or a click outside
 * closes it; focus returns where it was.
 * @param {{title: string, body: Node[], actions?: Node[], id?: string, className?: string}} opts
 * @returns {() => void} closes the dialog
 */
export function openDialog(opts) {
  const previous = /** @type {HTMLElement | null} */ (document.activeElement);
  const titleId = `${opts.id ?? 'dialog'}-title`;
  const closeBtn = h('button', { type: 'button', class: 'btn', onclick: () => close() }, t('common.close'));
  const dialog = h(
    'div',
    { class: `modal ${opts.className ?? ''}`.trim(), id: opts.id, role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId, tabindex: '-1' },
    h('div', { class: 'modal-head' }, h('h2', { id: titleId }, opts.title), h('button', { type: 'button', class: 'icon-btn modal-x', 'aria-label': t('common.close'), title: t('common.close'), onclick: () => close() }, '\u00d7')),
    h('div', { class: 'modal-body', tabindex: '0' }, ...opts.body),
    h('div', { class: 'modal-actions' }, ...(opts.actions ?? []), closeBtn),
  );
  const backdrop = h('div', { class: 'modal-backdrop' }, dialog);
  let open = true;
  function close() {
    if (!open) return;
    open = false;
    backdrop.remove();
    previous?.focus?.();
  }
  backdrop.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      ev.stopPropagation();
      close();
    } else if (ev.key === 'Tab') {
      // Keep focus inside the dialog.
      const focusable = /** @type {HTMLElement[]} */ ([...dialog.querySelectorAll('button, [href], summary, [tabindex="0"]')]);
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (ev.shiftKey && (document.activeElement === first || document.activeElement === dialog)) {
        ev.preventDefault();
        last.focus();
      } else if (!ev.shiftKey && document.activeElement === last) {
        ev.preventDefault();
        first.focus();
      }
    }
  });
  backdrop.addEventListener('mousedown', (ev) => {
    if (ev.target === backdrop) close();
  });
  document.body.append(backdrop);
  closeBtn.focus();
  return close;
}

/** @type {number | undefined} */
let toastTimer;
/** A short, polite confirmation ("Saved"), shown for `ms`. @param {string} message @param {number} [ms] */
export function toast(message, ms = 2200) {
  const el = /** @type {HTMLElement} */ (document.getElementById('toast'));
  el.textContent = message;
  el.classList.add('show');
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => el.classList.remove('show'), ms);
}

/**
 * A list that shows the first page and a "Load more" button while the back
 * end says there is more.
 * @template T
 * @param {{
 *   load: (cursor: string | null) => Promise<import('./api.js').Page<T>>,
 *   item: (row: T) => HTMLElement,
 *   empty: string | (() => string),
 *   id?: string,
 *   label?: string,
 *   className?: string,
 *   loaded?: (rows: T[]) => void,
 * }} opts `loaded` runs after each page's rows are in the list (to decorate them)
 */
export function pagedList(opts) {
  const list = h('ul', { class: opts.className ?? 'rows', id: opts.id, 'aria-label': opts.label });
  const empty = h('p', { class: 'empty', hidden: true });
  const more = h('button', { type: 'button', class: 'btn subtle load-more', hidden: true }, t('common.loadMore'));
  const element = h('div', { class: 'paged' }, list, empty, more);
  /** @type {string | null} */
  let cursor = null;
  let generation = 0;

  /** @param {boolean} reset */
  async function fetchPage(reset) {
    const mine = reset ? ++generation : generation;
    more.disabled = true;
    try {
      const page = await opts.load(reset ? null : cursor);
      if (mine !== generation) return; // a newer reload started meanwhile
      if (reset) clear(list);
      for (const row of page.items) list.append(opts.item(row));
      opts.loaded?.(page.items);
      cursor = page.nextCursor;
      more.hidden = !cursor;
      empty.textContent = typeof opts.empty === 'function' ? opts.empty() : opts.empty;
      empty.hidden = list.childElementCount > 0;
    } catch (e) {
      showError(e);
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', () => fetchPage(false));
  return {
    element,
    list,
    /** Loads the first page again. */
    reload: () => fetchPage(true),
  };
}

/**
 * The header every view starts with.
 * @param {string} title
 * @param {string | null} [subtitle]
 * @param {...(Node | null | false)} actions
 */
export function viewHeader(title, subtitle, ...actions) {
  return h(
    'header',
    { class: 'view-header' },
    h('div', { class: 'view-titles' }, h('h1', null, title), subtitle ? h('p', { class: 'subtitle' }, subtitle) : null),
    h('div', { class: 'view-actions' }, ...actions),
  );
}
