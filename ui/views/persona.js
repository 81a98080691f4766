// @ts-check
// Personas: who "{{user}}" is in a chat.

import * as api from '../api.js';
import { h, field, input, textarea, val } from '../dom.js';
import { changed } from '../state.js';
import { renderListEditor } from './listeditor.js';
import { avatarPicker } from './avatar.js';
import { t } from '../i18n.js';

/**
 * @param {HTMLElement} root
 * @param {string[]} params
 */
export function render(root, params) {
  return renderListEditor(root, params, {
    route: 'personas',
    title: t('persona.title'),
    intro: t('persona.intro'),
    slug: 'persona',
    words: { new: t('persona.new'), pick: t('persona.pick'), edit: t('persona.edit'), create: t('persona.create') },
    empty: t('persona.empty'),
    formId: 'persona-form',
    store: api.personas,
    topic: 'personas',
    changed,
    fields: (p) => [
      p
        ? h('div', { class: 'field wide' }, avatarPicker('persona', p.id, p.name))
        : h('p', { class: 'hint wide' }, t('persona.pictureLater')),
      field(t('persona.name'), input('name', p?.name, { maxlength: 200 }), { required: true }),
      field(t('persona.description'), textarea('description', p?.description, { rows: 8 }), {
        wide: true,
        hint: t('persona.descriptionHint'),
      }),
    ],
    read: (form) => ({ name: val(form, 'name').trim(), description: val(form, 'description') }),
  });
}
