// @ts-check
// The welcome screen: what to do first, with shortcuts. While there is no
// model at all it is the first-run screen (first-run.js).

import * as api from '../api.js';
import { h } from '../dom.js';
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
      h('h1', null, 'Welcome to Parley'),
      h('p', { class: 'lead' }, 'Chat with characters you create, using the AI provider you choose. Everything stays on this computer.'),
      h(
        'ol',
        { class: 'steps' },
        step(
          '1. Connect a model',
          providers.items.length ? 'You have a provider set up. Add or tune its models any time.' : 'Add a provider (OpenRouter, OpenAI, Anthropic, GLM or a local Ollama) and one of its models.',
          'Providers & models',
          'providers',
        ),
        step(
          '2. Create a character',
          characters.items.length ? 'Pick a character from the sidebar, or write a new one.' : 'No characters yet. Create one to start chatting.',
          'New character',
          'character/new',
        ),
        step('3. Start chatting', 'Choose a character, a persona and a model, then say hello.', 'New chat', 'new-chat'),
      ),
    ),
  );
  await showContinue(root); // issue 12: the latest chats, when there are some
}
