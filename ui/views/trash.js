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

/**
 * @typedef {{id: string, deletedAt: string | null}} Trashed
 * @typedef {{
 *   title: string,
 *   noun: string,
 *   empty: string,
 *   store: {list: (q: api.ListQuery) => Promise<api.Page<any>>, restore: (id: string) => Promise<unknown>, purge: (id: string) => Promise<void>},
 *   name: (row: any) => string,
 *   meta?: (row: any) => string | null,
 *   topics: import('../state.js').Topic[],
 * }} Section
 */

/** @type {Section[]} */
const SECTIONS = [
  { title: 'Characters', noun: 'character', empty: 'No deleted characters.', store: api.characters, name: (r) => r.name, topics: ['characters'] },
  { title: 'Chats', noun: 'chat', empty: 'No deleted chats.', store: api.chats, name: (r) => r.title || 'Untitled chat', meta: (r) => chatCast(r), topics: ['chats'] },
  { title: 'Personas', noun: 'persona', empty: 'No deleted personas.', store: api.personas, name: (r) => r.name, topics: ['personas'] },
  { title: 'System prompts', noun: 'system prompt', empty: 'No deleted system prompts.', store: api.prompts, name: (r) => r.name, topics: ['prompts'] },
  {
    title: 'Tasks',
    noun: 'task',
    empty: 'No deleted tasks.',
    store: { list: (q) => tasks.list({ status: 'deleted', limit: q.limit, cursor: q.cursor }), restore: tasks.restore, purge: tasks.purge },
    name: (r) => r.title,
    meta: (r) => (r.chatSessionId ? r.chatTitle || 'Untitled chat' : 'standing alone'),
    topics: ['tasks'],
  },
  { title: 'Templates', noun: 'template', empty: 'No deleted templates.', store: { list: (q) => templates.list(null, q), restore: templates.restore, purge: templates.purge }, name: (r) => r.name, topics: [] },
];

/** @param {Section} s */
function section(s) {
  const headingId = `trash-${s.noun.replace(/\s+/g, '-')}`;
  const list = pagedList({
    label: `Deleted ${s.title.toLowerCase()}`,
    className: 'rows',
    empty: s.empty,
    load: (cursor) => s.store.list({ deleted: 'deleted', sort: 'updated', limit: api.PAGE_SIZE, cursor }),
    item: (/** @type {Trashed} */ row) => {
      const name = s.name(row);
      const meta = [s.meta?.(row), row.deletedAt ? `deleted ${ago(row.deletedAt)}` : null].filter(Boolean).join(' \u00b7 ');
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
          h('button', { type: 'button', class: 'btn small', onclick: () => act(() => s.store.restore(row.id), 'Restored') }, 'Restore'),
          h('button', {
            type: 'button',
            class: 'btn small danger-subtle',
            onclick: async () => {
              const made = await api.backups.list().then((b) => b.backups.length).catch(() => 0);
              const ok = await confirmDialog({
                title: `Delete \u201c${name}\u201d forever?`,
                message: (s.noun === 'chat' ? 'The chat and all its messages are erased from the database. This cannot be undone.' : `The ${s.noun} is erased from the database. This cannot be undone.`)
                  + (made ? ` Your ${made} backup${made === 1 ? '' : 's'} made before now still hold${made === 1 ? 's' : ''} it; you can delete them next.` : ''),
                confirmLabel: 'Delete forever',
                danger: true,
              });
              if (!ok) return;
              await act(() => s.store.purge(row.id), 'Deleted forever');
              if (made) await offerToDeleteBackups(name, made);
            },
          }, 'Delete forever'),
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
    title: `Delete the backups that still hold \u201c${name}\u201d?`,
    message: `${made} backup${made === 1 ? ' was' : 's were'} made before now and still hold${made === 1 ? 's' : ''} it. Deleting ${made === 1 ? 'it' : 'them'} erases it everywhere, but you can no longer go back to ${made === 1 ? 'that backup' : 'those backups'}. A new backup is made tomorrow.`,
    confirmLabel: made === 1 ? 'Delete the backup' : `Delete ${made} backups`,
    danger: true,
  });
  if (!ok) return;
  try {
    const n = await api.backups.removeAllUntilNow();
    toast(`${n} backup${n === 1 ? '' : 's'} deleted`);
  } catch (e) {
    showError(e);
  }
}

/** @param {HTMLElement} root */
export async function render(root) {
  const sections = SECTIONS.map(section);
  root.append(viewHeader('Trash', 'Deleted items wait here until you restore them or delete them forever.'), ...sections.map((s) => s.element));
  await Promise.all(sections.map((s) => s.load()));
}
