// @ts-check
// Pictures of characters and personas in the window: one cache of object
// URLs (each picture fetched once per window, requests of the same moment
// batched into one call), the round picture-or-initial every view shows
// (`avatarImg`), and the picker the editors use (file chooser, drag and
// drop onto the picture, paste). The pixels are checked, cropped and scaled
// in Rust; this module only moves files and shows the result.

import * as api from '../api.js';
import { h } from '../dom.js';
import { sentence } from '../components.js';
import { changed } from '../state.js';
import { t } from '../i18n.js';

/** @typedef {api.AvatarOwner} Owner */

/** owner:id -> object URL, or null when there is no picture. */
const ready = new Map();
/** owner:id -> the fetch under way. @type {Map<string, Promise<string | null>>} */
const loading = new Map();
/** @type {Map<Owner, Map<string, (url: string | null) => void>>} */
let queued = new Map();
let flushing = false;

const keyOf = (/** @type {Owner} */ owner, /** @type {string} */ id) => `${owner}:${id}`;

/** A `data:` URL as an object URL: the page holds the bytes once, each `<img>` only a short name. @param {string} dataUrl */
function objectUrl(dataUrl) {
  const comma = dataUrl.indexOf(',');
  const mime = dataUrl.slice(5, comma).split(';')[0] || 'image/png';
  const bin = atob(dataUrl.slice(comma + 1));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return URL.createObjectURL(new Blob([bytes], { type: mime }));
}

async function flush() {
  const batch = queued;
  queued = new Map();
  flushing = false;
  for (const [owner, waiting] of batch) {
    const ids = [...waiting.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      /** @type {Record<string, string> | null} */
      let got = null;
      try {
        got = await api.avatars.small(owner, part);
      } catch (e) {
        console.warn('avatars', e);
      }
      for (const id of part) {
        const key = keyOf(owner, id);
        const data = got?.[id];
        const url = typeof data === 'string' ? objectUrl(data) : null;
        // A failed fetch is not remembered, so the next view asks again.
        if (got) ready.set(key, url);
        loading.delete(key);
        waiting.get(id)?.(url);
      }
    }
  }
}

/**
 * The small picture's object URL, or null when there is none.
 * @param {Owner} owner @param {string} id @returns {Promise<string | null>}
 */
export function avatarUrl(owner, id) {
  const key = keyOf(owner, id);
  if (ready.has(key)) return Promise.resolve(ready.get(key) ?? null);
  let p = loading.get(key);
  if (!p) {
    p = new Promise((resolve) => {
      let waiting = queued.get(owner);
      if (!waiting) queued.set(owner, (waiting = new Map()));
      waiting.set(id, resolve);
    });
    loading.set(key, p);
    if (!flushing) {
      flushing = true;
      queueMicrotask(() => void flush());
    }
  }
  return p;
}

/** A soft colour from the name, the same on every screen. @param {string} name */
function hueOf(name) {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return hash % 360;
}

/** @param {HTMLElement} el @param {string} url */
function showPicture(el, url) {
  el.classList.add('has-picture');
  const cls = el.dataset.imgClass ? `avatar-pic-img ${el.dataset.imgClass}` : 'avatar-pic-img';
  el.replaceChildren(h('img', { class: cls, src: url, alt: '', draggable: 'false' }));
}

/**
 * A round picture of `size` CSS pixels: the picture when there is one, else
 * the name's initial in a coloured circle. Decorative (`aria-hidden`): put
 * the name beside it as text. `id` null (a chat with no character) always
 * shows the initial. Cached pictures show at once; others when they arrive.
 *
 * The sidebar: `avatarImg('character', c.id, c.name, 30)` for a character
 * row, `avatarImg('character', chat.characterId, chat.characterName ?? chat.title, 30)`
 * for a chat row; nothing else to call (one batched fetch per screenful).
 * @param {Owner} owner @param {string | null} id @param {string} name @param {number} [size]
 * @param {string} [imgClass] a class for the `<img>` too
 */
export function avatarImg(owner, id, name, size = 32, imgClass = '') {
  const initial = (name.trim().charAt(0) || '?').toUpperCase();
  const el = h('span', { class: 'avatar-pic', 'aria-hidden': 'true', data: id ? { avatar: keyOf(owner, id) } : {} }, initial);
  el.style.setProperty('--avatar-size', `${size}px`);
  if (imgClass) el.dataset.imgClass = imgClass;
  el.style.setProperty('--avatar-hue', String(hueOf(name)));
  if (!id) return el;
  const key = keyOf(owner, id);
  const url = ready.get(key);
  if (url) showPicture(el, url);
  else if (!ready.has(key)) {
    void avatarUrl(owner, id).then((got) => {
      if (got) showPicture(el, got);
    });
  }
  return el;
}

/**
 * Drops the cached picture and refreshes every one on screen (after it was
 * set or removed).
 * @param {Owner} owner @param {string} id @param {string} name
 */
export async function refreshAvatar(owner, id, name) {
  const key = keyOf(owner, id);
  const old = ready.get(key);
  ready.delete(key);
  const url = await avatarUrl(owner, id);
  if (old) URL.revokeObjectURL(old);
  for (const el of document.querySelectorAll(`[data-avatar="${CSS.escape(key)}"]`)) {
    const pic = /** @type {HTMLElement} */ (el);
    if (url) showPicture(pic, url);
    else {
      pic.classList.remove('has-picture');
      pic.replaceChildren((name.trim().charAt(0) || '?').toUpperCase());
    }
  }
}

/** Drop targets on screen: a picker's picture and what it does with files. @type {Set<{el: HTMLElement, take: (path: string) => void}>} */
const dropZones = new Set();

/**
 * Hands a file dropped on the window to the picker under the pointer;
 * false when the drop was elsewhere (then it is an import).
 * @param {string[]} paths @param {{x: number, y: number} | null} position physical pixels
 */
export function avatarDrop(paths, position) {
  if (!position || paths.length === 0) return false;
  const x = position.x / window.devicePixelRatio;
  const y = position.y / window.devicePixelRatio;
  for (const zone of dropZones) {
    if (!zone.el.isConnected) {
      dropZones.delete(zone);
      continue;
    }
    const r = zone.el.getBoundingClientRect();
    if (x >= r.left && x <= r.right && y >= r.top && y <= r.bottom) {
      zone.take(paths[0]);
      return true;
    }
  }
  return false;
}

/** @param {File} file @returns {Promise<string>} */
function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject({ error: t('avatar.unreadable'), type: 'ValidationError', details: {} });
    reader.readAsDataURL(file);
  });
}

/**
 * The editors' picture: the current one (or the initial), "Choose picture"
 * (a file chooser), "Remove", a drop target, and paste (Ctrl+V of an image
 * anywhere in the editor). Refusals show under it in words.
 * @param {Owner} owner @param {string} id @param {string} name
 */
export function avatarPicker(owner, id, name) {
  const status = h('p', { class: 'avatar-status', id: `${owner}-avatar-status`, role: 'status', 'aria-live': 'polite' });
  const pic = avatarImg(owner, id, name, 96);
  pic.classList.add('avatar-drop');
  const file = h('input', { type: 'file', id: `${owner}-avatar-file`, class: 'sr-only', accept: 'image/png,image/jpeg,image/webp,image/gif' });
  const removeBtn = h('button', { type: 'button', class: 'btn subtle small', id: `${owner}-avatar-remove`, hidden: !ready.get(keyOf(owner, id)) }, t('avatar.remove'));
  void avatarUrl(owner, id).then((url) => { removeBtn.hidden = !url; });

  /** @param {() => Promise<void>} work */
  const run = async (work) => {
    status.textContent = t('avatar.saving');
    status.classList.remove('error');
    try {
      await work();
      await refreshAvatar(owner, id, name);
      // The sidebar's character list reloads its rows (the picture changed them).
      if (owner === 'character') changed('characters');
      removeBtn.hidden = !ready.get(keyOf(owner, id));
      status.textContent = '';
    } catch (e) {
      const err = /** @type {{error?: string}} */ (e);
      status.textContent = sentence(err?.error ?? String(e));
      status.classList.add('error');
    }
  };
  /** @param {File} f */
  const takeFile = (f) => void run(async () => api.avatars.set(owner, id, await readAsDataUrl(f)));

  file.addEventListener('change', () => {
    const f = file.files?.[0];
    file.value = '';
    if (f) takeFile(f);
  });
  removeBtn.addEventListener('click', () => void run(() => api.avatars.clear(owner, id)));
  // Where the webview hands drops to the page itself (Tauri's drop events otherwise).
  pic.addEventListener('dragover', (ev) => ev.preventDefault());
  pic.addEventListener('drop', (ev) => {
    const f = ev.dataTransfer?.files?.[0];
    if (!f) return;
    ev.preventDefault();
    takeFile(f);
  });
  const el = h(
    'div',
    { class: 'avatar-picker', id: `${owner}-avatar` },
    pic,
    h(
      'div',
      { class: 'avatar-picker-side' },
      h('div', { class: 'avatar-picker-actions' }, h('label', { class: 'btn small', for: file.id }, t('avatar.choose')), file, removeBtn),
      h('p', { class: 'hint' }, t('avatar.hint')),
      status,
    ),
  );
  el.setAttribute('aria-label', owner === 'character' ? t('avatar.characterPicture') : t('avatar.personaPicture'));
  el.setAttribute('role', 'group');
  dropZones.add({ el: pic, take: (path) => void run(() => api.avatars.setPath(owner, id, path)) });
  /** @param {ClipboardEvent} ev */
  const onPaste = (ev) => {
    if (!el.isConnected) {
      window.removeEventListener('paste', onPaste);
      return;
    }
    const f = [...(ev.clipboardData?.files ?? [])].find((x) => x.type.startsWith('image/'));
    if (!f) return;
    ev.preventDefault();
    takeFile(f);
  };
  window.addEventListener('paste', onPaste);
  return el;
}
