// @ts-check
// Tasks: the screen of every task (open, done or all), grouped by chat with
// a link to open each chat, the standing-alone ones first; and the list the
// chat's Tasks panel (chat/tasks.js) shares with it: tick, add, edit in
// place, move up and down (buttons, or Alt+Up / Alt+Down on a row; Up and
// Down go from row to row), delete to the trash. Titles and descriptions are
// the person's text: they go in as text only.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { showError, toast, viewHeader } from '../components.js';
import { changed, on, onLeave } from '../state.js';
import { tasks } from '../api/tasks.js';

/**
 * @typedef {import('../api/tasks.js').Task} Task
 * @typedef {"open"|"done"|"all"} Filter
 */

/** An error's words, for the line under a form. @param {unknown} e */
const words = (e) => /** @type {{error?: string}} */ (e)?.error ?? String(e);

/**
 * One list of tasks: a chat's, or the standing-alone ones (`chatId` null).
 * Open tasks in their order, then done ones, as the filter allows.
 */
export class TaskList {
  /**
   * @param {string | null} chatId
   * @param {{filter?: Filter, label: string, idPrefix?: string}} opts
   */
  constructor(chatId, opts) {
    this.chatId = chatId;
    this.filter = opts.filter ?? 'all';
    /** @type {Task[]} */
    this.tasks = [];
    const prefix = opts.idPrefix ?? 'task';
    this.list = h('ul', { class: 'task-list', 'aria-label': opts.label });
    this.empty = h('p', { class: 'empty task-empty', hidden: true });
    this.error = h('p', { class: 'field-error', role: 'alert', hidden: true });
    this.input = h('input', { type: 'text', class: 'task-new-title', id: `${prefix}-new`, maxlength: 500, placeholder: t('tasks.newTaskPlaceholder'), 'aria-label': t('tasks.newTask') });
    const add = h('button', { type: 'submit', class: 'btn primary', id: `${prefix}-add` }, t('tasks.add'));
    this.form = h('form', { class: 'task-add', novalidate: true }, this.input, add);
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.add();
    });
    this.el = h('div', { class: 'task-box' }, this.form, this.error, this.list, this.empty);
    this.list.addEventListener('keydown', (ev) => this.keys(ev));
  }

  /** @param {Filter} filter */
  setFilter(filter) {
    this.filter = filter;
    this.form.hidden = filter === 'done';
    this.draw();
  }

  /** Reloads unless a task is being edited here (another list changed). */
  follow() {
    return this.list.querySelector('.task-edit-form') ? undefined : this.reload();
  }

  async reload() {
    try {
      this.tasks = await tasks.forChat(this.chatId);
      this.draw();
    } catch (e) {
      showError(e);
    }
  }

  /** The open tasks, in their order. */
  open() {
    return this.tasks.filter((task) => !task.done);
  }

  draw() {
    const shown = this.tasks.filter((task) => this.filter === 'all' || (this.filter === 'done') === task.done);
    const focused = /** @type {HTMLElement | null} */ (document.activeElement?.closest?.('.task-row') ?? null);
    const keep = focused && this.list.contains(focused) ? focused.dataset.id : null;
    this.list.replaceChildren(...shown.map((task) => this.row(task)));
    this.empty.textContent = this.filter === 'done' ? t('tasks.nothingDone') : t('tasks.empty');
    this.empty.hidden = shown.length > 0;
    if (keep) /** @type {HTMLElement | null} */ (this.list.querySelector(`.task-row[data-id="${CSS.escape(keep)}"]`))?.focus();
  }

  async add() {
    this.error.hidden = true;
    try {
      await tasks.create({ chatSessionId: this.chatId, title: this.input.value, description: '' });
      this.input.value = '';
      await this.reload();
      void changed('tasks');
    } catch (e) {
      this.error.textContent = words(e);
      this.error.hidden = false;
    }
    this.input.focus();
  }

  /** @param {() => Promise<unknown>} work */
  async act(work) {
    try {
      await work();
      await this.reload();
      void changed('tasks');
    } catch (e) {
      showError(e);
    }
  }

  /**
   * Moves an open task one place up (-1) or down (+1).
   * @param {Task} task @param {number} step
   */
  async move(task, step) {
    const open = this.open();
    const at = open.findIndex((o) => o.id === task.id);
    const target = open[at + step];
    if (at < 0 || !target) return;
    await this.act(() => tasks.move(task.id, target.id, step < 0 ? 'before' : 'after'));
    /** @type {HTMLElement | null} */ (this.list.querySelector(`.task-row[data-id="${CSS.escape(task.id)}"]`))?.focus();
  }

  /** Up / Down go from row to row; with Alt they move the task. @param {KeyboardEvent} ev */
  keys(ev) {
    if (ev.key !== 'ArrowUp' && ev.key !== 'ArrowDown') return;
    const row = ev.target instanceof HTMLElement && ev.target.classList.contains('task-row') ? ev.target : null;
    if (!row) return;
    ev.preventDefault();
    const step = ev.key === 'ArrowUp' ? -1 : 1;
    if (ev.altKey) {
      const task = this.tasks.find((x) => x.id === row.dataset.id);
      if (task && !task.done) void this.move(task, step);
      return;
    }
    const next = step < 0 ? row.previousElementSibling : row.nextElementSibling;
    if (next instanceof HTMLElement) next.focus();
  }

  /** @param {Task} task */
  row(task) {
    const open = this.open();
    const at = open.findIndex((o) => o.id === task.id);
    const box = h('input', { type: 'checkbox', class: 'task-done', checked: task.done, 'aria-label': t('tasks.doneLabel', { title: task.title }) });
    box.addEventListener('change', () => void this.act(() => tasks.update(task.id, { done: box.checked })));
    const text = h('span', { class: 'task-text' },
      h('span', { class: 'task-title' }, task.title),
      task.description ? h('span', { class: 'task-description' }, task.description) : null);
    const li = h('li', { class: `task-row${task.done ? ' is-done' : ''}`, tabindex: '0', data: { id: task.id }, 'aria-label': task.done ? t('tasks.rowDone', { title: task.title }) : task.title },
      box,
      text,
      h('span', { class: 'row-actions' },
        task.done ? null : h('button', { type: 'button', class: 'btn small subtle task-up', title: t('tasks.moveUpTitle'), 'aria-label': t('tasks.moveUp', { title: task.title }), disabled: at <= 0, onclick: () => void this.move(task, -1) }, '\u2191'),
        task.done ? null : h('button', { type: 'button', class: 'btn small subtle task-down', title: t('tasks.moveDownTitle'), 'aria-label': t('tasks.moveDown', { title: task.title }), disabled: at < 0 || at >= open.length - 1, onclick: () => void this.move(task, 1) }, '\u2193'),
        h('button', { type: 'button', class: 'btn small task-edit', onclick: () => this.edit(task, li) }, t('common.edit')),
        h('button', { type: 'button', class: 'btn small danger-subtle task-delete', onclick: () => void this.act(async () => {
          await tasks.remove(task.id);
          toast(t('tasks.movedToTrash'));
        }) }, t('common.delete'))));
    text.addEventListener('dblclick', () => this.edit(task, li));
    return li;
  }

  /**
   * Edits a task in its row: title and description; Enter in the title or
   * Save keeps, Esc or Cancel goes back.
   * @param {Task} task @param {HTMLElement} li
   */
  edit(task, li) {
    const title = h('input', { type: 'text', class: 'task-edit-title', value: task.title, maxlength: 500, 'aria-label': t('tasks.title') });
    const description = h('textarea', { class: 'task-edit-description', rows: 3, maxlength: 5000, placeholder: t('tasks.descriptionPlaceholder'), 'aria-label': t('tasks.description') });
    description.value = task.description;
    const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
    const form = h('form', { class: 'task-edit-form', novalidate: true },
      title, description, error,
      h('span', { class: 'row-actions' },
        h('button', { type: 'submit', class: 'btn small primary task-save' }, t('common.save')),
        h('button', { type: 'button', class: 'btn small', onclick: () => this.draw() }, t('common.cancel'))));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await tasks.update(task.id, { title: title.value, description: description.value });
        await this.reload();
        void changed('tasks');
      } catch (e) {
        error.textContent = words(e);
        error.hidden = false;
      }
    });
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        ev.stopPropagation();
        this.draw();
      }
    });
    li.replaceChildren(form);
    title.focus();
    title.select();
  }
}

/** The filter buttons: value and words. @returns {[Filter, string][]} */
const filters = () => [['open', t('tasks.filterOpen')], ['done', t('tasks.filterDone')], ['all', t('tasks.filterAll')]];

/**
 * The Tasks screen; `#/tasks/<id>` shows that task (all filters) and
 * focuses it.
 * @param {HTMLElement} root @param {string[]} params
 */
export async function render(root, params) {
  const [targetId = null] = params;
  /** @type {Filter} */
  let filter = targetId ? 'all' : 'open';
  /** @type {Map<string, TaskList>} */
  const groups = new Map();
  const body = h('div', { class: 'task-groups', id: 'task-groups' });
  const more = h('button', { type: 'button', class: 'btn subtle load-more', id: 'tasks-more', hidden: true, onclick: () => void loadPage() }, t('common.loadMore'));
  /** @type {string | null} */
  let cursor = null;

  const buttons = filters().map(([value, label]) => h('button', {
    type: 'button',
    class: 'btn small',
    data: { filter: value },
    'aria-pressed': String(value === filter),
    onclick: () => void choose(value),
  }, label));
  const bar = h('div', { class: 'task-filter', role: 'group', 'aria-label': t('tasks.show') }, ...buttons);

  /** @param {Filter} value */
  async function choose(value) {
    filter = value;
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.filter === value));
    await loadFirst();
  }

  /**
   * A group's section, made once: the chat's title and a link to open it,
   * or "Standing alone".
   * @param {Task | null} task a task of the group (null: standing alone)
   */
  async function group(task) {
    const key = task?.chatSessionId ?? '';
    const known = groups.get(key);
    if (known) return known;
    const headingId = `tasks-group-${key || 'alone'}`;
    const list = new TaskList(key || null, { filter, label: task?.chatSessionId ? t('tasks.groupLabel', { title: task.chatTitle || t('common.untitledChat') }) : t('tasks.aloneLabel'), idPrefix: `tasks-${key || 'alone'}` });
    groups.set(key, list);
    const title = task?.chatSessionId ? (task.chatTitle || t('common.untitledChat')) : t('tasks.standingAlone');
    body.append(h('section', { class: 'card task-group', 'aria-labelledby': headingId, data: { chat: key } },
      h('div', { class: 'doc-tools' },
        h('h2', { id: headingId }, title),
        task?.chatDeleted ? h('span', { class: 'badge' }, t('tasks.chatInTrash')) : null,
        h('span', { class: 'spacer' }),
        task?.chatSessionId && !task.chatDeleted ? h('a', { class: 'btn small', href: `#/chat/${encodeURIComponent(task.chatSessionId)}` }, t('tasks.openChat')) : null),
      list.el));
    list.setFilter(filter);
    await list.reload();
    return list;
  }

  async function loadPage() {
    more.disabled = true;
    try {
      const page = await tasks.list({ status: filter, cursor });
      for (const task of page.items) await group(task);
      cursor = page.nextCursor;
      more.hidden = !cursor;
    } catch (e) {
      showError(e);
    } finally {
      more.disabled = false;
    }
  }

  async function loadFirst() {
    groups.clear();
    body.replaceChildren();
    cursor = null;
    await group(null);
    await loadPage();
  }

  root.append(viewHeader(t('tasks.heading'), t('tasks.subtitle'), bar), body, more);
  await loadFirst();
  // Another view (a chat's panel) changed tasks: this list follows.
  const off = on('tasks', () => Promise.all([...groups.values()].map((g) => g.follow())).then(() => undefined));
  onLeave(root, off);

  if (targetId) {
    // The task found by search: load pages until its row shows.
    const find = () => /** @type {HTMLElement | null} */ (body.querySelector(`.task-row[data-id="${CSS.escape(targetId)}"]`));
    for (let i = 0; i < 20 && !find() && cursor; i += 1) await loadPage();
    const row = find();
    if (row) {
      row.classList.add('is-target');
      row.scrollIntoView({ block: 'center' });
      row.focus();
    }
  }
}
