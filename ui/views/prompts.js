// @ts-check
// System prompts: reusable instructions; a few ship built in.

import * as api from '../api.js';
import { field, input, textarea, val } from '../dom.js';
import { changed } from '../state.js';
import { renderListEditor } from './listeditor.js';
import { t } from '../i18n.js';

/**
 * @param {HTMLElement} root
 * @param {string[]} params
 */
export function render(root, params) {
  return renderListEditor(root, params, {
    route: 'prompts',
    title: t('prompts.title'),
    intro: t('prompts.intro'),
    slug: 'system-prompt',
    words: { new: t('prompts.new'), pick: t('prompts.pick'), edit: t('prompts.edit'), create: t('prompts.create') },
    empty: t('prompts.empty'),
    formId: 'prompt-form',
    store: api.prompts,
    topic: 'prompts',
    changed,
    badge: (p) => (p.isBuiltin ? t('prompts.builtIn') : null),
    fields: (p) => [
      field(t('prompts.name'), input('name', p?.name, { maxlength: 200 }), { required: true }),
      field(t('prompts.content'), textarea('content', p?.content, { rows: 14, class: 'mono' }), {
        wide: true,
        hint: t('prompts.contentHint', { char: '{{char}}', user: '{{user}}' }),
      }),
    ],
    read: (form) => ({ name: val(form, 'name').trim(), content: val(form, 'content') }),
  });
}
