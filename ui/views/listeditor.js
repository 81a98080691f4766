// @ts-check
// A list on the left and an editor on the right, for the simple entities
// that live in the trash when deleted (personas, system prompts).

import { h, ago } from '../dom.js';
import { pagedList, submitting, showError, confirmDialog, toast, viewHeader } from '../components.js';
import { navigate } from '../state.js';
import * as api from '../api.js';
import { t } from '../i18n.js';

/**
 * @template {{id: string, name: string, updatedAt: string}} T
 * @template I
 * @typedef {{
 *   route: string,
 *   title: string,
 *   intro: string,
 *   slug: string,
 *   words: {new: string, pick: string, edit: string, create: string},
 *   empty: string,
 *   formId: string,
 *   store: {list: (q: api.ListQuery) => Promise<api.Page<T>>, get: (id: string) => Promise<T>,
 *     create: (i: I) => Promise<T>, update: (id: string, i: I) => Promise<T>, remove: (id: string) => Promise<void>},
 *   fields: (item: T | null) => Node[],
 *   read: (form: HTMLFormElement) => I,
 *   badge?: (item: T) => string | null,
 *   topic: import('../state.js').Topic,
 *   changed: (topic: import('../state.js').Topic) => void,
 * }} Config
 */

/**
 * @template {{id: string, name: string, updatedAt: string}} T
 * @template I
 * @param {HTMLElement} root
 * @param {string[]} params
 * @param {Config<T, I>} cfg
 */
export async function renderListEditor(root, params, cfg) {
  const selected = params[0] ?? null;
  const list = pagedList({
    label: cfg.title,
    className: 'rows selectable',
    empty: cfg.empty,
    load: (cursor) => cfg.store.list({ sort: 'name', limit: api.PAGE_SIZE, cursor }),
    item: (row) => {
      const badge = cfg.badge?.(row);
      return h(
        'li',
        { data: { id: row.id } },
        h(
          'a',
          { href: `#/${cfg.route}/${row.id}`, class: 'row-link', 'aria-current': row.id === selected ? 'true' : null },
          h('span', { class: 'row-title' }, row.name),
          badge ? h('span', { class: 'badge' }, badge) : null,
        ),
      );
    },
  });
  const pane = h('div', { class: 'detail' });
  root.append(
    viewHeader(cfg.title, cfg.intro, h('button', { type: 'button', class: 'btn primary', id: `new-${cfg.slug}`, onclick: () => navigate(`${cfg.route}/new`) }, cfg.words.new)),
    h('div', { class: 'split' }, h('div', { class: 'master' }, list.element), pane),
  );
  await Promise.all([list.reload(), renderEditor(pane, selected, cfg, () => void list.reload())]);
}

/**
 * @template {{id: string, name: string, updatedAt: string}} T
 * @template I
 * @param {HTMLElement} pane
 * @param {string | null} selected
 * @param {Config<T, I>} cfg
 * @param {() => void} reloadList
 */
async function renderEditor(pane, selected, cfg, reloadList) {
  if (!selected) {
    pane.append(h('p', { class: 'empty detail-empty' }, cfg.words.pick));
    return;
  }
  const item = selected === 'new' ? null : await cfg.store.get(selected);
  const form = h('form', { id: cfg.formId, class: 'editor card', novalidate: true, 'aria-label': item ? cfg.words.edit : cfg.words.new });
  const badge = item ? cfg.badge?.(item) : null;
  const heading = h('h2', null, item ? item.name : cfg.words.new);
  const deleteBtn = item
    ? h('button', {
        type: 'button',
        class: 'btn danger-subtle',
        onclick: async () => {
          const ok = await confirmDialog({
            title: t('listEditor.trashTitle', { name: item.name }),
            message: t('listEditor.trashMessage'),
            confirmLabel: t('listEditor.moveToTrash'),
            danger: true,
          });
          if (!ok) return;
          try {
            await cfg.store.remove(item.id);
            cfg.changed(cfg.topic);
            toast(t('listEditor.movedToTrash'));
            navigate(cfg.route);
          } catch (e) {
            showError(e);
          }
        },
      }, t('common.delete'))
    : null;
  form.append(
    h('div', { class: 'editor-head' }, heading, badge ? h('span', { class: 'badge' }, badge) : null),
    h('div', { class: 'grid' }, ...cfg.fields(item)),
    h(
      'div',
      { class: 'form-footer' },
      item ? h('span', { class: 'muted' }, t('listEditor.updatedAgo', { when: ago(item.updatedAt) })) : null,
      h('span', { class: 'spacer' }),
      deleteBtn,
      h('button', { type: 'submit', class: 'btn primary', id: 'save' }, item ? t('listEditor.saveChanges') : cfg.words.create),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void submitting(form, async () => {
      const input = cfg.read(form);
      const saved = item ? await cfg.store.update(item.id, input) : await cfg.store.create(input);
      cfg.changed(cfg.topic);
      toast(t('listEditor.saved'));
      if (item) {
        heading.textContent = saved.name;
        reloadList();
      } else {
        navigate(`${cfg.route}/${saved.id}`);
      }
    });
  });
  pane.append(form);
  if (!item) /** @type {HTMLElement | null} */ (form.querySelector('input, textarea'))?.focus();
}
