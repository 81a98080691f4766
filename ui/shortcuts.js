// @ts-check
// Keyboard shortcuts for the whole window, and the sheet that lists them
// (`?` when not typing, or F1), screen by screen. The chat registers what
// its own shortcuts do while it is shown (`chatKeys`); the others go to a
// screen or a control on every screen. Esc to stop a reply belongs to the
// composer; Enter to send too. Tab and Shift+Tab reach every control, and
// the focus ring (`:focus-visible`) always shows where the focus is.

import { h } from './dom.js';
import { t } from './i18n.js';
import { navigate } from './state.js';

/**
 * What the open chat does for its shortcuts.
 * @typedef {{regenerate: () => void, swipe: (step: -1 | 1) => void, editLast: () => void}} ChatKeys
 */

/** @type {ChatKeys | null} */
let chat = null;

/**
 * The open chat's actions; returns the function that forgets them.
 * @param {ChatKeys} keys
 */
export function chatKeys(keys) {
  chat = keys;
  return () => {
    if (chat === keys) chat = null;
  };
}

/**
 * The sheet: each screen's keys and what they do. A function: the words
 * follow the language chosen at boot. Pure key names stay as written.
 * @returns {[string, [string, string][]][]}
 */
const sheet = () => [
  [
    t('shortcuts.everywhere'),
    [
      ['Ctrl+N', t('shortcuts.newChat')], // i18n-ignore
      ['Alt+\u2193 / Alt+\u2191', t('shortcuts.nextPreviousChat')], // i18n-ignore
      [t('shortcuts.searchKeys'), t('shortcuts.search')],
      ['Ctrl+O', t('shortcuts.import')], // i18n-ignore
      ['Ctrl+,', t('shortcuts.settings')], // i18n-ignore
      [t('shortcuts.composerKeys'), t('shortcuts.composer')],
      ['Tab / Shift+Tab', t('shortcuts.nextPreviousControl')], // i18n-ignore
      ['Esc', t('shortcuts.closeDialog')], // i18n-ignore
      [t('shortcuts.sheetKeys'), t('shortcuts.sheet')],
    ],
  ],
  [
    t('shortcuts.inChat'),
    [
      ['Enter', t('shortcuts.send')], // i18n-ignore
      ['Esc', t('shortcuts.stop')], // i18n-ignore
      ['Ctrl+R', t('shortcuts.regenerate')], // i18n-ignore
      ['Alt+\u2190 / Alt+\u2192', t('shortcuts.swipe')], // i18n-ignore
      ['\u2191', t('shortcuts.editLast')],
    ],
  ],
  [
    t('shortcuts.listsFormsDialogs'),
    [
      [t('shortcuts.pressKeys'), t('shortcuts.press')],
      ['\u2191 / \u2193', t('shortcuts.moveInList')],
      ['Ctrl+Enter', t('shortcuts.saveEditor')], // i18n-ignore
    ],
  ],
];

/** Whether the key goes to something being typed in. @param {EventTarget | null} t */
function typing(t) {
  return t instanceof HTMLElement && (t.isContentEditable || t.matches('input, textarea, select'));
}

/** The empty composer has the focus. @param {EventTarget | null} t */
function inEmptyComposer(t) {
  return t instanceof HTMLTextAreaElement && t.id === 'composer' && t.value === '';
}

function showSheet() {
  if (document.getElementById('shortcut-sheet')) return;
  const close = () => {
    backdrop.remove();
    document.removeEventListener('keydown', onKey, true);
  };
  const onKey = /** @param {KeyboardEvent} ev */ (ev) => {
    if (ev.key === 'Escape' || ev.key === '?' || ev.key === 'F1') {
      ev.preventDefault();
      ev.stopPropagation();
      close();
    }
  };
  const closeBtn = h('button', { type: 'button', class: 'btn subtle modal-x', 'aria-label': t('common.close'), onclick: close }, '\u00d7');
  const backdrop = h(
    'div',
    { class: 'modal-backdrop', onclick: (/** @type {MouseEvent} */ ev) => ev.target === backdrop && close() },
    h(
      'div',
      { class: 'modal shortcut-sheet', id: 'shortcut-sheet', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'shortcut-title' },
      h('div', { class: 'modal-head' }, h('h2', { id: 'shortcut-title' }, t('shortcuts.title')), closeBtn),
      ...sheet().map(([screen, rows]) =>
        h(
          'section',
          { class: 'shortcut-group' },
          h('h3', null, screen),
          h('dl', { class: 'shortcut-list' }, ...rows.flatMap(([keys, what]) => [h('dt', null, h('kbd', null, keys)), h('dd', null, what)])),
        ),
      ),
    ),
  );
  document.body.append(backdrop);
  document.addEventListener('keydown', onKey, true);
  closeBtn.focus();
}

function focusComposer() {
  document.getElementById('composer')?.focus();
}

/**
 * Opens the next (1) or previous (-1) chat of the sidebar's list, the
 * first one when no chat is open.
 * @param {1 | -1} step
 */
function stepChat(step) {
  const links = /** @type {HTMLAnchorElement[]} */ ([...document.querySelectorAll('#sidebar a.chat-item')]);
  if (links.length === 0) return;
  const at = links.findIndex((a) => a.getAttribute('aria-current') === 'page');
  const next = at < 0 ? 0 : Math.min(links.length - 1, Math.max(0, at + step));
  const href = links[next].getAttribute('href') ?? '';
  if (href.startsWith('#/')) navigate(href.slice(2));
  links[next].scrollIntoView({ block: 'nearest' });
}

/** @param {KeyboardEvent} ev */
function onKey(ev) {
  if (ev.defaultPrevented || ev.isComposing || document.querySelector('.modal-backdrop')) return;
  const ctrl = ev.ctrlKey || ev.metaKey;
  const key = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
  /** @param {() => void} fn */
  const run = (fn) => {
    ev.preventDefault();
    fn();
  };
  if (ctrl && !ev.altKey && !ev.shiftKey) {
    if (key === 'n') return run(() => navigate('new-chat'));
    if (key === 'k' || key === 'f') return run(() => navigate('search'));
    if (key === 'r') return run(() => chat?.regenerate()); // never a reload of the window
    if (key === ',') return run(() => navigate('settings'));
    if (key === 'o') return run(() => document.getElementById('import-input')?.click());
    if (key === 'l') return run(focusComposer);
  }
  // A list that moves its own rows with Alt+arrows (tasks) keeps them.
  const ownArrows = ev.target instanceof Element && ev.target.closest('.task-row, [role="option"], [role="listbox"]');
  if (ev.altKey && !ctrl && !ev.shiftKey && !ownArrows && (ev.key === 'ArrowDown' || ev.key === 'ArrowUp')) {
    return run(() => stepChat(ev.key === 'ArrowDown' ? 1 : -1));
  }
  if (ev.key === 'F1' || (ev.key === '?' && !ctrl && !ev.altKey && !typing(ev.target))) return run(showSheet);
  if (ev.key === '/' && !ctrl && !ev.altKey && !typing(ev.target) && document.getElementById('composer')) return run(focusComposer);
  if (!chat || ctrl) return;
  const arrow = ev.key === 'ArrowLeft' ? -1 : ev.key === 'ArrowRight' ? 1 : 0;
  const c = chat;
  if (arrow && !ev.shiftKey && (ev.altKey || (!typing(ev.target) || inEmptyComposer(ev.target)))) {
    return run(() => c.swipe(/** @type {-1 | 1} */ (arrow)));
  }
  if (ev.key === 'ArrowUp' && !ev.altKey && !ev.shiftKey && inEmptyComposer(ev.target)) return run(() => c.editLast());
}

/** Listens for the shortcuts; once, at boot. */
export function initShortcuts() {
  document.addEventListener('keydown', onKey);
}
