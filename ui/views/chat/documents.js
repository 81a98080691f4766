// @ts-check
// A chat's documents: a drawer at the right, under the header (like the
// chat's settings), listing the documents that apply to the chat (its own,
// its character's, the library's) with an on/off switch each, and adding
// files to the chat by button or by dropping them anywhere on the chat.

import { h } from '../../dom.js';
import { t } from '../../i18n.js';
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
    this.list = h('ul', { class: 'document-list', id: 'chat-documents-list', 'aria-label': t('chatDocuments.listLabel') });
    this.empty = h('p', { class: 'empty', hidden: true }, t('chatDocuments.empty'));
    this.status = h('p', { class: 'muted doc-status', id: 'chat-documents-status', role: 'status', 'aria-live': 'polite' });
    const input = h('input', { type: 'file', id: 'chat-document-file', class: 'sr-only', accept: DOCUMENT_ACCEPT, multiple: true, 'aria-label': t('documents.addFilesLabel') });
    input.addEventListener('change', async () => {
      const files = [...(input.files ?? [])];
      input.value = '';
      await this.open();
      if (await addFiles({ scope: 'chat', id: chatId }, files, this.say)) void this.reload();
    });
    this.panel = h('div', { class: 'chat-settings chat-documents', id: 'chat-documents', hidden: true, role: 'region', 'aria-label': t('chatDocuments.title') },
      h('div', { class: 'card' },
        h('div', { class: 'doc-tools' },
          h('h2', null, t('chatDocuments.title')),
          h('span', { class: 'spacer' }),
          h('button', { type: 'button', class: 'btn primary', id: 'chat-document-add', onclick: () => input.click() }, t('chatDocuments.add')),
          input,
          h('button', { type: 'button', class: 'btn', onclick: () => this.close() }, t('common.close'))),
        h('p', { class: 'muted' }, t('chatDocuments.intro')),
        this.status, this.list, this.empty));
    this.button = h(
      'button',
      { type: 'button', class: 'btn chat-settings-btn', id: 'chat-documents-btn', title: t('chatDocuments.buttonTitle'), 'aria-label': t('chatDocuments.title'), 'aria-expanded': 'false', 'aria-controls': 'chat-documents', onclick: () => (this.panel.hidden ? void this.open() : this.close()) },
      h('span', { 'aria-hidden': 'true' }, '\u25A4'),
      h('span', { class: 'btn-label' }, t('chatDocuments.title')),
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
