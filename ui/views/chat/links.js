// @ts-check
// Links inside messages never navigate the app window (the window refuses
// that natively too, see src-tauri/src/window.rs): a click shows the full
// address as text and asks whether to open it in the system browser, copy
// it, or leave it.

import * as api from '../../api.js';
import { openDialog, showError, toast } from '../../components.js';
import { h } from '../../dom.js';
import { t } from '../../i18n.js';

/** @param {string} url */
async function copy(url) {
  try {
    await navigator.clipboard.writeText(url);
    toast(t('chatLinks.copied'));
  } catch {
    toast(t('chatLinks.copyFailed'));
  }
}

/** Asks before a link leaves Parley. @param {string} url */
export function confirmLink(url) {
  /** @type {() => void} */
  let close = () => {};
  const open = h('button', {
    type: 'button',
    class: 'btn primary',
    id: 'link-open',
    onclick: () => {
      close();
      api.openLink(url).catch((e) => showError(e));
    },
  }, t('chatLinks.open'));
  const copyBtn = h('button', {
    type: 'button',
    class: 'btn',
    id: 'link-copy',
    onclick: () => {
      close();
      void copy(url);
    },
  }, t('chatLinks.copy'));
  close = openDialog({
    title: t('chatLinks.title'),
    id: 'link-dialog',
    body: [
      h('p', { class: 'modal-text' }, t('chatLinks.goesTo')),
      h('code', { class: 'link-address', id: 'link-address' }, url),
    ],
    actions: [copyBtn, open],
  });
}

/** Catches clicks on links in the message bodies under `list`. @param {HTMLElement} list */
export function keepLinksOutside(list) {
  /** @param {MouseEvent} ev */
  const onLinkClick = (ev) => {
    const a = ev.target instanceof Element ? ev.target.closest('.message-body a[href]') : null;
    if (!a) return;
    ev.preventDefault();
    if (ev.type === 'click') confirmLink(a.getAttribute('href') ?? '');
  };
  list.addEventListener('click', onLinkClick);
  list.addEventListener('auxclick', onLinkClick);
}
