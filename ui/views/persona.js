// @ts-check
// Personas: who "{{user}}" is in a chat.

import * as api from '../api.js';
import { h, field, input, textarea, val } from '../dom.js';
import { changed } from '../state.js';
import { renderListEditor } from './listeditor.js';
import { avatarPicker } from './avatar.js';

/**
 * @param {HTMLElement} root
 * @param {string[]} params
 */
export function render(root, params) {
  return renderListEditor(root, params, {
    route: 'personas',
    title: 'Personas',
    intro: 'Who you are in a chat. The model sees the persona\u2019s name and description.',
    noun: 'persona',
    empty: 'No personas yet. Create one so characters know who they are talking to.',
    formId: 'persona-form',
    store: api.personas,
    topic: 'personas',
    changed,
    fields: (p) => [
      p
        ? h('div', { class: 'field wide' }, avatarPicker('persona', p.id, p.name))
        : h('p', { class: 'hint wide' }, 'Create the persona, then give it a picture.'),
      field('Name', input('name', p?.name, { maxlength: 200 }), { required: true }),
      field('Description', textarea('description', p?.description, { rows: 8 }), {
        wide: true,
        hint: 'How you look, act or what the character knows about you.',
      }),
    ],
    read: (form) => ({ name: val(form, 'name').trim(), description: val(form, 'description') }),
  });
}
