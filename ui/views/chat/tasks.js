// @ts-check
// A chat's tasks: a drawer at the right, under the header (like its
// documents), with the chat's task list (views/tasks.js) and the switch
// that lets its open tasks into the prompt as the story's objectives.

import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { showError } from '../../components.js';
import { on, onLeave } from '../../state.js';
import { tasks } from '../../api/tasks.js';
import { TaskList } from '../tasks.js';

export class ChatTasks {
  /**
   * @param {HTMLElement} root the chat's view (the panel follows task changes while it is shown)
   * @param {string} chatId
   */
  constructor(root, chatId) {
    this.chatId = chatId;
    this.tasks = new TaskList(chatId, { label: t('chatTasks.listLabel'), idPrefix: 'chat-task' });
    this.objectives = h('input', { type: 'checkbox', id: 'chat-objectives', class: 'doc-switch' });
    this.objectives.addEventListener('change', async () => {
      const on = this.objectives.checked;
      try {
        await tasks.setObjectives(chatId, on);
      } catch (e) {
        this.objectives.checked = !on;
        showError(e);
      }
    });
    this.panel = h('div', { class: 'chat-settings chat-documents chat-tasks', id: 'chat-tasks', hidden: true, role: 'region', 'aria-label': t('chatTasks.title') },
      h('div', { class: 'card' },
        h('div', { class: 'doc-tools' },
          h('h2', null, t('chatTasks.title')),
          h('span', { class: 'spacer' }),
          h('button', { type: 'button', class: 'btn', onclick: () => this.close() }, t('common.close'))),
        h('label', { class: 'switch task-objectives', for: 'chat-objectives' }, this.objectives,
          h('span', { class: 'switch-label' }, t('chatTasks.objectives'))),
        this.tasks.el));
    this.button = h(
      'button',
      { type: 'button', class: 'btn chat-settings-btn', id: 'chat-tasks-btn', title: t('chatTasks.buttonTitle'), 'aria-label': t('chatTasks.title'), 'aria-expanded': 'false', 'aria-controls': 'chat-tasks', onclick: () => (this.panel.hidden ? void this.open() : this.close()) },
      h('span', { 'aria-hidden': 'true' }, '\u2611'),
      h('span', { class: 'btn-label' }, t('chatTasks.title')),
    );
    onLeave(root, on('tasks', () => (this.panel.hidden ? undefined : this.tasks.follow())));
  }

  close() {
    this.panel.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
  }

  async open() {
    this.panel.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    try {
      this.objectives.checked = await tasks.objectives(this.chatId);
    } catch (e) {
      showError(e);
    }
    await this.tasks.reload();
    this.tasks.input.focus();
  }
}
