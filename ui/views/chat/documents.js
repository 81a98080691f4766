// @ts-check
// A chat's documents: a drawer at the right, under the header (like the
// chat's settings), listing the documents that apply to the chat (its own,
// its character's, the library's) with an on/off switch each, and adding
// files to the chat by button or by dropping them anywhere on the chat.

import { h } from '../../dom.js';
import { showError } from '../../components.js';
import { documents, DOCUMENT_ACCEPT } from '../../api/documents.js';
import { addFiles, addPaths, documentRow, takeDocumentDrops } from '../documents.js';

export class ChatDocuments {
  /**
   * @param {HTMLElement} root the chat's view, which takes dropped documents while it is open
   * @param {string} chatId
   */
  constructor(root, chatId) {
    this.chatId = chatId;
    this.list = h('ul', { class: 'document-list', id: 'chat-documents-list', 'aria-label': 'Documents of this chat' });
    this.empty = h('p', { class: 'empty', hidden: true }, 'No documents yet. Add a file, or drop one on the chat; replies then draw on it.');
    this.status = h('p', { class: 'muted doc-status', id: 'chat-documents-status', role: 'status', 'aria-live': 'polite' });
    const input = h('input', { type: 'file', id: 'chat-document-file', class: 'sr-only', accept: DOCUMENT_ACCEPT, multiple: true });
    input.addEventListener('change', async () => {
      const files = [...(input.files ?? [])];
      input.value = '';
      await this.open();
      if (await addFiles({ scope: 'chat', id: chatId }, files, this.say)) void this.reload();
    });
    this.panel = h('div', { class: 'chat-settings chat-documents', id: 'chat-documents', hidden: true, role: 'region', 'aria-label': 'Documents' },
      h('div', { class: 'card' },
        h('div', { class: 'doc-tools' },
          h('h2', null, 'Documents'),
          h('span', { class: 'spacer' }),
          h('button', { type: 'button', class: 'btn primary', id: 'chat-document-add', onclick: () => input.click() }, '+ Add'),
          input,
          h('button', { type: 'button', class: 'btn', onclick: () => this.close() }, 'Close')),
        h('p', { class: 'muted' }, 'Replies draw on the documents switched on here: this chat\u2019s, its character\u2019s and the library\u2019s.'),
        this.status, this.list, this.empty));
    this.button = h(
      'button',
      { type: 'button', class: 'btn chat-settings-btn', id: 'chat-documents-btn', title: 'Documents this chat draws on', 'aria-label': 'Documents', 'aria-expanded': 'false', 'aria-controls': 'chat-documents', onclick: () => (this.panel.hidden ? void this.open() : this.close()) },
      h('span', { 'aria-hidden': 'true' }, '\u25A4'),
      h('span', { class: 'btn-label' }, 'Documents'),
    );
    takeDocumentDrops(root, async (paths) => {
      await this.open();
      if (await addPaths({ scope: 'chat', id: chatId }, paths, this.say)) await this.reload();
    });
  }

  /** @param {string} text */
  say = (text) => {
    this.status.textContent = text;
  };

  close() {
    this.panel.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
  }

  async open() {
    this.panel.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    await this.reload();
  }

  async reload() {
    try {
      const docs = await documents.forChat(this.chatId);
      this.list.replaceChildren(...docs.map((d) => documentRow(d, { chatId: this.chatId, changed: () => void this.reload() })));
      this.empty.hidden = docs.length > 0;
    } catch (e) {
      showError(e);
    }
  }
}
