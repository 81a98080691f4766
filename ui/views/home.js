// @ts-check
// The welcome screen: what to do first, with shortcuts. While there is no
// model at all it is the first-run screen (first-run.js).

import * as api from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { navigate } from '../state.js';
import * as firstRun from './first-run.js';
import { showContinue } from './continue.js';

/** @param {string} title @param {string} text @param {string} label @param {string} route */
function step(title, text, label, route) {
  return h(
    'li',
    { class: 'card step' },
    h('h2', null, title),
    h('p', null, text),
    h('button', { type: 'button', class: 'btn', onclick: () => navigate(route) }, label),
  );
}

/** @param {HTMLElement} root */
export async function render(root) {
  const [providers, characters, models] = await Promise.all([
    api.providers.list({ limit: 1 }),
    api.characters.list({ limit: 1 }),
    api.models.list({ limit: 1 }),
  ]);
  if (models.items.length === 0) return firstRun.render(root);
  root.append(
    h(
      'div',
      { class: 'welcome' },
      h('h1', null, t('home.welcome')),
      h('p', { class: 'lead' }, t('home.lead')),
      h(
        'ol',
        { class: 'steps' },
        step(
          t('home.connectModel'),
          providers.items.length ? t('home.connectModelSetUp') : t('home.connectModelNone'),
          t('home.providers'),
          'providers',
        ),
        step(
          t('home.createCharacter'),
          characters.items.length ? t('home.pickCharacter') : t('home.noCharacters'),
          t('home.newCharacter'),
          'character/new',
        ),
        step(t('home.startChatting'), t('home.startChattingText'), t('home.newChat'), 'new-chat'),
      ),
    ),
  );
  await showContinue(root); // issue 12: the latest chats, when there are some
}
