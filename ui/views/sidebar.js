// @ts-check
// The left column: "New chat", recent chats first (the character's avatar
// or initial, title, time, the last message as plain text with the names
// filled in), then the characters (with search, import and avatars: a click
// opens the character's latest chat, or starts one; the pencil opens the
// editor), and links to the other screens. It also sets up importing by
// drag and drop, once, at boot.

import * as api from '../api.js';
import { h, ago } from '../dom.js';
import { t } from '../i18n.js';
import { pagedList, showError } from '../components.js';
import { on, navigate } from '../state.js';
import { importFiles, initDropImport } from './importer.js';
import { startChat } from './character.js';

/**
 * Avatar thumbnails already asked for, by `${id}:${updatedAt}`: a `data:` URL,
 * or null when the character has none. A changed character has a new key, so
 * it is asked again; re-renders of unchanged rows are not.
 * @type {Map<string, string | null>}
 */
const thumbnails = new Map();

/** @param {api.CharacterSummary} c */
function thumbKey(c) {
  return `${c.id}:${c.updatedAt}`;
}

/** Puts the avatar image in a row's `.avatar` in place of the initial. @param {Element} avatar @param {string} url */
function showThumbnail(avatar, url) {
  avatar.classList.add('has-img');
  avatar.replaceChildren(h('img', { class: 'avatar-img', alt: '', src: url, draggable: 'false' }));
}

/**
 * Fills in the avatars of a page of the character list: cached ones at
 * once, the rest with one request. Avatars are a nicety, so a failure only
 * leaves the initials.
 * @param {HTMLElement} list
 * @param {api.CharacterSummary[]} rows
 */
async function loadThumbnails(list, rows) {
  const ask = rows.filter((c) => !thumbnails.has(thumbKey(c)));
  if (ask.length === 0) return;
  /** @type {Record<string, string>} */
  let got;
  try {
    got = await api.characterThumbnails(ask.map((c) => c.id));
  } catch (e) {
    console.warn('character thumbnails', e);
    return;
  }
  for (const c of ask) {
    const key = thumbKey(c);
    const url = typeof got[c.id] === 'string' ? got[c.id] : null;
    thumbnails.set(key, url);
    if (!url) continue;
    // The row may have been rendered again meanwhile; only fill the one for this version.
    const avatar = list.querySelector(`li[data-thumb="${CSS.escape(key)}"] .avatar`);
    if (avatar) showThumbnail(avatar, url);
  }
}

/** @param {string} name */
export function initial(name) {
  return (name.trim().charAt(0) || '?').toUpperCase();
}

/**
 * Opens a character's latest chat, or starts one when it has none.
 * @param {string} id
 */
async function openCharacter(id) {
  try {
    const page = await api.chats.list({ characterId: id, sort: 'updated', direction: 'desc', limit: 1 });
    if (page.items[0]) navigate(`chat/${page.items[0].id}`);
    else await startChat(id);
  } catch (e) {
    showError(e);
  }
}

/** @param {api.CharacterSummary} c */
function characterItem(c) {
  const meta = [c.creator, ...c.tags.slice(0, 3)].filter(Boolean).join(' · ');
  const avatar = h('span', { class: 'avatar', 'aria-hidden': 'true' }, initial(c.name));
  const cached = thumbnails.get(thumbKey(c));
  if (cached) showThumbnail(avatar, cached);
  return h(
    'li',
    { data: { id: c.id, thumb: thumbKey(c) }, class: 'side-character' },
    h(
      'a',
      {
        href: `#/character/${c.id}`,
        class: 'side-item',
        title: t('sidebar.chatWith', { name: c.name }),
        onclick: (/** @type {MouseEvent} */ ev) => {
          ev.preventDefault();
          void openCharacter(c.id);
        },
      },
      avatar,
      h('span', { class: 'side-item-text' }, h('span', { class: 'side-item-title' }, c.name), meta ? h('span', { class: 'side-item-meta' }, meta) : null),
    ),
    h('a', { href: `#/character/${c.id}`, class: 'side-edit', title: t('sidebar.edit', { name: c.name }) }, h('span', { 'aria-hidden': 'true' }, '\u270e'), h('span', { class: 'sr-only' }, t('sidebar.edit', { name: c.name }))),
  );
}

/**
 * A message as one line of plain text, without Markdown marks or tags (the
 * sidebar shows it as text, never HTML). Its macros were expanded in Rust
 * (`chat_list`).
 * @param {string} text
 */
export function plainPreview(text) {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]*>/g, '')
    .replace(/[*_`~#>|]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Who a chat is with, as lists show it: a group's members, else its character.
 * @param {api.ChatSummary} c
 */
export function chatCast(c) {
  return c.memberNames?.length ? c.memberNames.join(', ') : (c.characterName ?? t('sidebar.noCharacter'));
}

/** @param {api.ChatSummary} c */
function chatItem(c) {
  const avatar = h('span', { class: 'avatar', 'aria-hidden': 'true' }, initial(c.characterName ?? c.title ?? '?'));
  const cached = c.characterId ? chatThumbs.get(c.characterId) : null;
  if (cached) showThumbnail(avatar, cached);
  const preview = c.lastMessage ? plainPreview(c.lastMessage) : '';
  return h(
    'li',
    { data: { id: c.id, character: c.characterId ?? '' } },
    h(
      'a',
      { href: `#/chat/${c.id}`, class: 'side-item chat-item' },
      avatar,
      h(
        'span',
        { class: 'side-item-text' },
        h('span', { class: 'side-item-row' }, h('span', { class: 'side-item-title' }, c.title || t('common.untitledChat')), h('span', { class: 'side-item-time' }, ago(c.updatedAt))),
        h('span', { class: 'side-item-meta' }, chatCast(c)),
        preview ? h('span', { class: 'side-item-preview' }, preview) : null,
      ),
    ),
  );
}

/**
 * The chats' avatars are their characters': by character id, a `data:` URL
 * or null. Asked once per character while the app runs.
 * @type {Map<string, string | null>}
 */
const chatThumbs = new Map();

/** @param {HTMLElement} list @param {api.ChatSummary[]} rows */
async function loadChatThumbnails(list, rows) {
  const ids = [...new Set(rows.map((c) => c.characterId).filter((id) => id && !chatThumbs.has(id)))];
  if (ids.length === 0) return;
  /** @type {Record<string, string>} */
  let got;
  try {
    got = await api.characterThumbnails(/** @type {string[]} */ (ids));
  } catch (e) {
    console.warn('chat thumbnails', e);
    return;
  }
  for (const id of /** @type {string[]} */ (ids)) {
    const url = typeof got[id] === 'string' ? got[id] : null;
    chatThumbs.set(id, url);
    if (!url) continue;
    for (const avatar of list.querySelectorAll(`li[data-character="${CSS.escape(id)}"] .avatar`)) showThumbnail(avatar, url);
  }
}

/** @param {string} href @param {string} label */
function navLink(href, label) {
  return h('a', { href, class: 'nav-link' }, label);
}

/**
 * Builds the sidebar and loads its lists.
 * @param {HTMLElement} root
 */
export async function initSidebar(root) {
  let search = '';
  const characters = pagedList({
    id: 'character-list',
    label: t('sidebar.characters'),
    className: 'side-list',
    empty: () => (search ? t('sidebar.noMatch', { search }) : t('sidebar.noCharacters')),
    load: (cursor) => api.characters.list({ search: search || undefined, sort: 'name', limit: api.PAGE_SIZE, cursor }),
    item: characterItem,
    loaded: (rows) => void loadThumbnails(characters.list, rows),
  });
  const chats = pagedList({
    id: 'chat-list',
    label: t('sidebar.recentChats'),
    className: 'side-list',
    empty: t('sidebar.noChats'),
    load: (cursor) => api.chats.list({ sort: 'updated', limit: 30, cursor }),
    item: chatItem,
    loaded: (rows) => void loadChatThumbnails(chats.list, rows),
  });

  /** @type {number | undefined} */
  let timer;
  const searchBox = h('input', {
    type: 'search',
    id: 'character-search',
    class: 'side-search',
    placeholder: t('sidebar.searchCharacters'),
    'aria-label': t('sidebar.searchCharacters'),
    autocomplete: 'off',
    oninput: (/** @type {Event} */ ev) => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        search = /** @type {HTMLInputElement} */ (ev.target).value.trim();
        void characters.reload();
      }, 200);
    },
  });

  const fileInput = h('input', {
    type: 'file',
    id: 'import-input',
    class: 'file-input',
    multiple: true,
    accept: '.png,.json,.jsonl,.charx',
    tabindex: '-1',
    'aria-hidden': 'true',
    onchange: (/** @type {Event} */ ev) => {
      const picker = /** @type {HTMLInputElement} */ (ev.target);
      const files = [...(picker.files ?? [])];
      picker.value = ''; // so picking the same file again imports it again
      void importFiles(files);
    },
  });

  root.replaceChildren(
    h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, 'P'), h('span', null, 'Parley')),
    h('button', { type: 'button', id: 'new-chat', class: 'btn primary block', onclick: () => navigate('new-chat') }, t('sidebar.newChat')),
    h(
      'div',
      { class: 'side-scroll' },
      h('section', { class: 'side-section', 'aria-labelledby': 'side-chats' }, h('div', { class: 'side-head' }, h('h2', { id: 'side-chats' }, t('sidebar.recentChats'))), chats.element),
      h(
        'section',
        { class: 'side-section', 'aria-labelledby': 'side-characters' },
        h(
          'div',
          { class: 'side-head' },
          h('h2', { id: 'side-characters' }, t('sidebar.characters')),
          h(
            'div',
            { class: 'side-head-actions' },
            h('button', { type: 'button', id: 'import-button', class: 'btn small', title: t('sidebar.importTitle'), onclick: () => fileInput.click() }, t('sidebar.import')),
            h('button', { type: 'button', id: 'new-character', class: 'btn small', 'aria-label': t('sidebar.newCharacter'), title: t('sidebar.newCharacter'), onclick: () => navigate('character/new') }, t('sidebar.new')),
          ),
          fileInput,
        ),
        searchBox,
        characters.element,
      ),
    ),
    h(
      'nav',
      { class: 'side-nav', 'aria-label': t('sidebar.manage') },
      navLink('#/search', t('sidebar.navSearch')),
      navLink('#/documents', t('sidebar.navDocuments')),
      navLink('#/tasks', t('sidebar.navTasks')),
      navLink('#/personas', t('sidebar.navPersonas')),
      navLink('#/providers', t('sidebar.navProviders')),
      navLink('#/prompts', t('sidebar.navPrompts')),
      navLink('#/templates', t('sidebar.navTemplates')),
      navLink('#/settings', t('sidebar.navSettings')),
      navLink('#/trash', t('sidebar.navTrash')),
    ),
  );

  initDropImport().catch((e) => console.warn('drag and drop import', e));
  on('characters', () => characters.reload().then(markActive));
  on('chats', () => chats.reload().then(markActive));
  await Promise.all([characters.reload(), chats.reload()]);
  markActive();
}

/** Marks the links that lead to the current route with aria-current. */
export function markActive() {
  const hash = location.hash || '#/';
  for (const a of document.querySelectorAll('#sidebar a[href]')) {
    const href = a.getAttribute('href') ?? '';
    // A chat opened at a message (`#/chat/<id>/<message>`) is still that chat.
    const active = hash === href || ((a.classList.contains('nav-link') || href.startsWith('#/chat/')) && hash.startsWith(`${href}/`));
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}
