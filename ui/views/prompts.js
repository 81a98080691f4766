// @ts-check
// System prompts: reusable instructions; a few ship built in.

import * as api from '../api.js';
import { field, input, textarea, val } from '../dom.js';
import { changed } from '../state.js';
import { renderListEditor } from './listeditor.js';

/**
 * @param {HTMLElement} root
 * @param {string[]} params
 */
export function render(root, params) {
  return renderListEditor(root, params, {
    route: 'prompts',
    title: 'System prompts',
    intro: 'Instructions sent before everything else. Pick one per chat, or a default in Settings.',
    noun: 'system prompt',
    empty: 'No system prompts yet. Create one to steer how the model writes.',
    formId: 'prompt-form',
    store: api.prompts,
    topic: 'prompts',
    changed,
    badge: (p) => (p.isBuiltin ? 'built-in' : null),
    fields: (p) => [
      field('Name', input('name', p?.name, { maxlength: 200 }), { required: true }),
      field('Content', textarea('content', p?.content, { rows: 14, class: 'mono' }), {
        wide: true,
        hint: 'You can use {{char}} and {{user}}; they are replaced by the names in each chat.',
      }),
    ],
    read: (form) => ({ name: val(form, 'name').trim(), content: val(form, 'content') }),
  });
}
