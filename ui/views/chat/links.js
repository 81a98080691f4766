// @ts-check
// Links inside messages never navigate the app window: a click shows the
// address and copies it.

import { toast } from '../../components.js';

/** @param {string} url */
async function linkOutside(url) {
  let copied = false;
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(url);
      copied = true;
    }
  } catch {
    copied = false;
  }
  toast(`Links open outside Parley: ${url}${copied ? ' \u2014 copied' : ''}`);
}

/** Catches clicks on links in the message bodies under `list`. @param {HTMLElement} list */
export function keepLinksOutside(list) {
  /** @param {MouseEvent} ev */
  const onLinkClick = (ev) => {
    const a = ev.target instanceof Element ? ev.target.closest('.message-body a') : null;
    if (!a) return;
    ev.preventDefault();
    if (ev.type === 'click') void linkOutside(a.getAttribute('href') ?? '');
  };
  list.addEventListener('click', onLinkClick);
  list.addEventListener('auxclick', onLinkClick);
}
