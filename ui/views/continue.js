// @ts-check
// "Continue": the latest chats on the welcome screen, one click back into
// each. Shows nothing when there are no chats (the first run has its own
// screen); a failure only leaves the list out.

import * as api from '../api.js';
import { h, ago } from '../dom.js';
import { t } from '../i18n.js';
import { initial, plainPreview } from './sidebar.js';

/** Chats offered. */
const LATEST = 5;

/**
 * Puts the "Continue" list at the top of the welcome screen in `root`.
 * @param {HTMLElement} root
 */
export async function showContinue(root) {
  /** @type {api.ChatSummary[]} */
  let chats;
  try {
    chats = (await api.chats.list({ sort: 'updated', direction: 'desc', limit: LATEST })).items;
  } catch (e) {
    console.warn('latest chats', e);
    return;
  }
  if (chats.length === 0 || !root.isConnected) return;
  const section = h(
    'section',
    { class: 'continue card', id: 'continue', 'aria-labelledby': 'continue-title' },
    h('h2', { id: 'continue-title' }, t('continue.title')),
    h(
      'ul',
      { class: 'continue-list' },
      ...chats.map((c) => {
        // A group's newest line may be any member's: no name in front.
        const who = c.memberNames?.length ? null : (c.characterName ?? t('continue.assistant'));
        const preview = c.lastMessage ? plainPreview(c.lastMessage) : '';
        return h(
          'li',
          { data: { id: c.id } },
          h(
            'a',
            { href: `#/chat/${c.id}`, class: 'side-item continue-item' },
            h('span', { class: 'avatar', 'aria-hidden': 'true' }, initial(c.characterName ?? c.title ?? '?')),
            h(
              'span',
              { class: 'side-item-text' },
              h('span', { class: 'side-item-row' }, h('span', { class: 'side-item-title' }, c.title || t('common.untitledChat')), h('span', { class: 'side-item-time' }, ago(c.updatedAt))),
              preview ? h('span', { class: 'side-item-preview' }, who ? t('continue.preview', { name: who, text: preview }) : preview) : null,
            ),
          ),
        );
      }),
    ),
  );
  const welcome = root.querySelector('.welcome');
  const after = welcome?.querySelector('.lead') ?? welcome?.querySelector('h1');
  if (after) after.after(section);
  else root.prepend(section);
}
