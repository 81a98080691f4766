// @ts-check
// The composer: Enter sends and Shift+Enter is a new line, or, when the
// person chose so in Settings, Ctrl+Enter sends and Enter is a new line.
// While a reply is written the Send button is a Stop button (`#stop`), and
// Esc stops too.
// It knows the reply's state only as told (`show`).

import { h } from '../../dom.js';
import { t } from '../../i18n.js';

/** @typedef {import('./reply.js').ReplyState} ReplyState */

export class Composer {
  /**
   * @param {string} placeholder
   * @param {{send: (text: string) => Promise<boolean>, stop: () => void}} actions
   *   `send` resolves to whether the text was sent (the box is then emptied)
   * @param {boolean} enterSends Enter sends (else Ctrl+Enter does)
   */
  constructor(placeholder, actions, enterSends = true) {
    this.actions = actions;
    this.enterSends = enterSends;
    /** @type {ReplyState} */
    this.state = 'idle';
    /** A send is on its way (the box is read-only meanwhile). */
    this.sending = false;
    this.box = h('textarea', { id: 'composer', rows: 1, placeholder, 'aria-label': t('composer.yourMessage') });
    this.button = h('button', { type: 'submit', id: 'send', class: 'btn primary', disabled: true }, t('composer.send'));
    this.hint = h('p', { class: 'composer-hint' });
    this.el = h('form', { class: 'composer', 'aria-label': t('composer.writeMessage') }, h('div', { class: 'composer-box' }, this.box, this.button), this.hint);

    this.box.addEventListener('input', () => this.#autosize());
    this.box.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter' || ev.shiftKey || ev.isComposing || ev.altKey) return;
      const withCtrl = ev.ctrlKey || ev.metaKey;
      if (withCtrl !== !this.enterSends) return;
      ev.preventDefault();
      void this.#send();
    });
    this.el.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.#send();
    });
    this.button.addEventListener('click', (ev) => {
      if (!this.#writing()) return; // Send: the form's submit handles it
      ev.preventDefault();
      actions.stop();
    });
    this.onKey = /** @param {KeyboardEvent} ev */ (ev) => {
      if (ev.key !== 'Escape' || ev.defaultPrevented || !this.#writing()) return;
      // Esc that closed a dialog or an editor is not for us.
      const t = ev.target;
      if (t instanceof Element && (!t.isConnected || t.closest('.modal-backdrop, .message-editor'))) return;
      if (document.querySelector('.modal-backdrop')) return;
      ev.preventDefault();
      actions.stop();
    };
    document.addEventListener('keydown', this.onKey);
    this.show('idle');
  }

  #writing() {
    return this.state === 'streaming' || this.state === 'stopping';
  }

  /** The Send / Stop button and the hint, for the reply's state. @param {ReplyState} state */
  show(state) {
    this.state = state;
    const b = this.button;
    if (this.#writing()) {
      b.id = 'stop';
      b.type = 'button';
      b.className = 'btn stop';
      b.textContent = state === 'stopping' ? t('composer.stopping') : t('composer.stop');
      b.title = t('composer.stopTitle');
      b.disabled = state === 'stopping';
      this.hint.textContent = t('composer.writingHint');
    } else {
      b.id = 'send';
      b.type = 'submit';
      b.className = 'btn primary';
      b.textContent = t('composer.send');
      b.removeAttribute('title');
      this.#syncSend();
      this.hint.textContent = this.enterSends
        ? t('composer.enterHint')
        : t('composer.ctrlEnterHint');
    }
  }

  #syncSend() {
    if (!this.#writing()) this.button.disabled = this.state !== 'idle' || this.box.value.trim() === '';
  }

  #autosize() {
    this.box.style.height = 'auto';
    this.box.style.height = `${Math.min(this.box.scrollHeight, 240)}px`;
    this.#syncSend();
  }

  async #send() {
    const text = this.box.value.trim();
    if (!text || this.state !== 'idle' || this.sending) return;
    this.sending = true;
    this.box.readOnly = true;
    try {
      if (await this.actions.send(text)) this.box.value = '';
    } finally {
      this.sending = false;
      this.box.readOnly = false;
      this.#autosize();
      this.box.focus();
    }
  }

  focus() {
    this.box.focus();
  }

  /** Puts text in the box to edit before sending (a template's, filled). @param {string} text */
  setText(text) {
    this.box.value = text;
    this.#autosize();
    this.box.focus();
    this.box.setSelectionRange(text.length, text.length);
  }

  /** Sends text without touching the box (a quick reply). @param {string} text */
  async sendText(text) {
    if (!text.trim() || this.state !== 'idle' || this.sending) return false;
    return this.actions.send(text.trim());
  }

  /** The chat was left. */
  close() {
    document.removeEventListener('keydown', this.onKey);
  }
}
