// @ts-check
// The trash: deleted characters, personas, prompts, templates, chats and tasks, each with
// Restore and "Delete forever".

import * as api from '../api.js';
import { h, ago } from '../dom.js';
import { pagedList, showError, confirmDialog, toast, viewHeader } from '../components.js';
import { changed } from '../state.js';
import { tasks } from '../api/tasks.js';
import { templates } from '../api/templates.js';
import { chatCast } from './sidebar.js';
import { t, tn } from '../i18n.js';

/**
 * @typedef {{id: string, deletedAt: string | null}} Trashed
 * @typedef {{
 *   id: string,
 *   title: string,
 *   label: string,
 *   empty: string,
 *   erased: string,
 *   store: {list: (q: api.ListQuery) => Promise<api.Page<any>>, restore: (id: string) => Promise<unknown>, purge: (id: string) => Promise<void>},
 *   name: (row: any) => string,
 *   meta?: (row: any) => string | null,
 *   topics: import('../state.js').Topic[],
 * }} Section
 */

/** The sections, in the person's language. @returns {Section[]} */
const SECTIONS = () => [
  { id: 'character', title: t('trash.characters'), label: t('trash.deletedCharacters'), empty: t('trash.noCharacters'), erased: t('trash.erasedCharacter'), store: api.characters, name: (r) => r.name, topics: ['characters'] },
  { id: 'chat', title: t('trash.chats'), label: t('trash.deletedChats'), empty: t('trash.noChats'), erased: t('trash.erasedChat'), store: api.chats, name: (r) => r.title || t('common.untitledChat'), meta: (r) => chatCast(r), topics: ['chats'] },
  { id: 'persona', title: t('trash.personas'), label: t('trash.deletedPersonas'), empty: t('trash.noPersonas'), erased: t('trash.erasedPersona'), store: api.personas, name: (r) => r.name, topics: ['personas'] },
  { id: 'system-prompt', title: t('trash.prompts'), label: t('trash.deletedPrompts'), empty: t('trash.noPrompts'), erased: t('trash.erasedPrompt'), store: api.prompts, name: (r) => r.name, topics: ['prompts'] },
  {
    id: 'task',
    title: t('trash.tasks'),
    label: t('trash.deletedTasks'),
    empty: t('trash.noTasks'),
    erased: t('trash.erasedTask'),
    store: { list: (q) => tasks.list({ status: 'deleted', limit: q.limit, cursor: q.cursor }), restore: tasks.restore, purge: tasks.purge },
    name: (r) => r.title,
    meta: (r) => (r.chatSessionId ? r.chatTitle || t('common.untitledChat') : t('trash.standingAlone')),
    topics: ['tasks'],
  },
  { id: 'template', title: t('trash.templates'), label: t('trash.deletedTemplates'), empty: t('trash.noTemplates'), erased: t('trash.erasedTemplate'), store: { list: (q) => templates.list(null, q), restore: templates.restore, purge: templates.purge }, name: (r) => r.name, topics: [] },
];

/** @param {Section} s */
function section(s) {
  const headingId = `trash-${s.id}`;
  const list = pagedList({
    label: s.label,
    className: 'rows',
    empty: s.empty,
    load: (cursor) => s.store.list({ deleted: 'deleted', sort: 'updated', limit: api.PAGE_SIZE, cursor }),
    item: (/** @type {Trashed} */ row) => {
      const name = s.name(row);
      const meta = [s.meta?.(row), row.deletedAt ? t('trash.deletedAgo', { when: ago(row.deletedAt) }) : null].filter(Boolean).join(' \u00b7 ');
      /** @param {() => Promise<unknown>} action @param {string} done */
      const act = async (action, done) => {
        try {
          await action();
          li.remove();
          changed(...s.topics);
          toast(done);
          if (!list.list.childElementCount) void list.reload();
        } catch (e) {
          showError(e);
        }
      };
      const li = h(
        'li',
        { class: 'trash-row', data: { id: row.id } },
        h('span', { class: 'row-text' }, h('span', { class: 'row-title' }, name), h('span', { class: 'row-meta' }, meta)),
        h('span', { class: 'row-actions' },
          h('button', { type: 'button', class: 'btn small', onclick: () => act(() => s.store.restore(row.id), t('trash.restored')) }, t('common.restore')),
          h('button', {
            type: 'button',
            class: 'btn small danger-subtle',
            onclick: async () => {
              const made = await api.backups.list().then((b) => b.backups.length).catch(() => 0);
              const ok = await confirmDialog({
                title: t('trash.deleteTitle', { name }),
                message: made ? `${s.erased} ${tn('trash.backupsStillHold', made)}` : s.erased,
                confirmLabel: t('trash.deleteForever'),
                danger: true,
              });
              if (!ok) return;
              await act(() => s.store.purge(row.id), t('trash.deletedForever'));
              if (made) await offerToDeleteBackups(name, made);
            },
          }, t('trash.deleteForever')),
        ),
      );
      return li;
    },
  });
  return {
    element: h('section', { class: 'card trash-section', 'aria-labelledby': headingId }, h('h2', { id: headingId }, s.title), list.element),
    load: list.reload,
  };
}

/**
 * After "Delete forever": the backups made before still hold the text;
 * offers to delete them too.
 * @param {string} name @param {number} made
 */
async function offerToDeleteBackups(name, made) {
  const ok = await confirmDialog({
    title: t('trash.offerTitle', { name }),
    message: tn('trash.offerMessage', made),
    confirmLabel: tn('trash.offerConfirm', made),
    danger: true,
  });
  if (!ok) return;
  try {
    const n = await api.backups.removeAllUntilNow();
    toast(tn('trash.backupsDeleted', n));
  } catch (e) {
    showError(e);
  }
}

/** @param {HTMLElement} root */
export async function render(root) {
  const sections = SECTIONS().map(section);
  root.append(viewHeader(t('trash.title'), t('trash.intro')), ...sections.map((s) => s.element));
  await Promise.all(sections.map((s) => s.load()));
}
