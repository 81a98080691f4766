// @ts-check
// The left column: "New chat", the characters (with search), recent chats,
// and links to the management screens.

import * as api from '../api.js';
import { h, ago } from '../dom.js';
import { pagedList } from '../components.js';
import { on, navigate } from '../state.js';

/** @param {string} name */
export function initial(name) {
  return (name.trim().charAt(0) || '?').toUpperCase();
}

/** @param {api.CharacterSummary} c */
function characterItem(c) {
  const meta = [c.creator, ...c.tags.slice(0, 3)].filter(Boolean).join(' · ');
  return h(
    'li',
    { data: { id: c.id } },
    h(
      'a',
      { href: `#/character/${c.id}`, class: 'side-item' },
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, initial(c.name)),
      h('span', { class: 'side-item-text' }, h('span', { class: 'side-item-title' }, c.name), meta ? h('span', { class: 'side-item-meta' }, meta) : null),
    ),
  );
}

/** @param {api.ChatSummary} c */
function chatItem(c) {
  return h(
    'li',
    { data: { id: c.id } },
    h(
      'a',
      { href: `#/chat/${c.id}`, class: 'side-item chat-item' },
      h(
        'span',
        { class: 'side-item-text' },
        h('span', { class: 'side-item-row' }, h('span', { class: 'side-item-title' }, c.title || 'Untitled chat'), h('span', { class: 'side-item-time' }, ago(c.updatedAt))),
        h('span', { class: 'side-item-meta' }, c.characterName ?? 'No character'),
        c.lastMessage ? h('span', { class: 'side-item-preview' }, c.lastMessage) : null,
      ),
    ),
  );
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
    label: 'Characters',
    className: 'side-list',
    empty: () => (search ? `No characters match “${search}”.` : 'No characters yet. Create one to start chatting.'),
    load: (cursor) => api.characters.list({ search: search || undefined, sort: 'name', limit: api.PAGE_SIZE, cursor }),
    item: characterItem,
  });
  const chats = pagedList({
    id: 'chat-list',
    label: 'Recent chats',
    className: 'side-list',
    empty: 'No chats yet. Start one with "New chat".',
    load: (cursor) => api.chats.list({ sort: 'updated', limit: 30, cursor }),
    item: chatItem,
  });

  /** @type {number | undefined} */
  let timer;
  const searchBox = h('input', {
    type: 'search',
    id: 'character-search',
    class: 'side-search',
    placeholder: 'Search characters',
    'aria-label': 'Search characters',
    autocomplete: 'off',
    oninput: (/** @type {Event} */ ev) => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        search = /** @type {HTMLInputElement} */ (ev.target).value.trim();
        void characters.reload();
      }, 200);
    },
  });

  root.replaceChildren(
    h('div', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, 'P'), h('span', null, 'Parley')),
    h('button', { type: 'button', id: 'new-chat', class: 'btn primary block', onclick: () => navigate('new-chat') }, '+ New chat'),
    h(
      'div',
      { class: 'side-scroll' },
      h(
        'section',
        { class: 'side-section', 'aria-labelledby': 'side-characters' },
        h(
          'div',
          { class: 'side-head' },
          h('h2', { id: 'side-characters' }, 'Characters'),
          h('button', { type: 'button', id: 'new-character', class: 'btn small', 'aria-label': 'New character', title: 'New character', onclick: () => navigate('character/new') }, '+ New'),
        ),
        searchBox,
        characters.element,
      ),
      h('section', { class: 'side-section', 'aria-labelledby': 'side-chats' }, h('div', { class: 'side-head' }, h('h2', { id: 'side-chats' }, 'Recent chats')), chats.element),
    ),
    h(
      'nav',
      { class: 'side-nav', 'aria-label': 'Manage' },
      navLink('#/personas', 'Personas'),
      navLink('#/providers', 'Providers & models'),
      navLink('#/prompts', 'System prompts'),
      navLink('#/settings', 'Settings'),
      navLink('#/trash', 'Trash'),
    ),
  );

  on('characters', () => void characters.reload().then(markActive));
  on('chats', () => void chats.reload().then(markActive));
  await Promise.all([characters.reload(), chats.reload()]);
  markActive();
}

/** Marks the links that lead to the current route with aria-current. */
export function markActive() {
  const hash = location.hash || '#/';
  for (const a of document.querySelectorAll('#sidebar a[href]')) {
    const href = a.getAttribute('href') ?? '';
    const active = a.classList.contains('nav-link') ? hash === href || hash.startsWith(`${href}/`) : hash === href;
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}
