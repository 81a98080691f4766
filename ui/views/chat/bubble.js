// @ts-check
// One message of a chat: its bubble, actions, versions (swipes), inline
// editor and how it ended. While a reply is written into it, its text grows
// in a StreamText (stream-text.js) and its thinking in another; when the
// reply ends, the body is replaced once with the rendered Markdown. The
// reply controller (reply.js) reaches the DOM only through these methods:
// begin, append, appendReasoning, end.

import * as api from '../../api.js';
import { h, when, ago, setSanitizedHtml } from '../../dom.js';
import { t } from '../../i18n.js';
import { showError, confirmDialog, toast, clearBanner } from '../../components.js';
import { StreamText, fillPlain } from './stream-text.js';
import { iconButton, infoLine, endWords, speakerPicture } from './bubble-parts.js';

/**
 * What a message needs from its chat.
 * @typedef {{
 *   authors: Record<api.Role, string>,
 *   speakers?: Partial<Record<api.Role, {owner: api.AvatarOwner, id: string | null}>>,
 *   busy: () => boolean,
 *   isFirst: (bubble: Bubble) => boolean,
 *   render: (messages: api.Message[]) => Promise<import('./render.js').Shown[]>,
 *   regenerate: (bubble: Bubble) => void,
 *   continueReply: (bubble: Bubble) => void, branch: (bubble: Bubble) => void,
 *   removed: (bubble: Bubble) => void,
 *   edited: () => void,
 *   written: (bubble: Bubble) => void,
 * }} BubbleContext
 * `speakers`: whose picture each role shows (see speakerPicture).
 * `busy`: a reply is being started or written in the chat.
 * `isFirst`: the chat's first message (the greeting, whose versions are the alternate greetings).
 * `render`: how each message shows (render.js `showMessages`): sanitised HTML with its macros
 *   expanded in Rust, or null to show the expanded text as plain text.
 * `written`: streamed text reached the page (once per frame at most).
 */

/** @typedef {"completed" | "cancelled" | "failed"} EndKind */

export class Bubble {
  /**
   * @param {api.Message} m
   * @param {import('./render.js').Shown} shown how it shows (render.js)
   * @param {BubbleContext} ctx
   */
  constructor(m, shown, ctx) {
    this.ctx = ctx;
    this.m = m;
    this.isLast = false;
    /** Bumped by every re-render; async work that finds it changed drops its result. */
    this.version = 0;
    /** A request about this message (swipe, edit, delete) is in flight. */
    this.working = false;
    /** @type {StreamText | null} the reply's text while it is written into this message */
    this.stream = null;
    /** @type {StreamText | null} its thinking, meanwhile */
    this.thinking = null;
    /** The text before the streamed part (continue appends to it). */
    this.baseText = '';
    /** @type {(() => void) | null} closes the inline editor */
    this.closeEditor = null;
    /** The stored text as shown, macros expanded (what Copy takes). */
    this.shownText = shown.text;

    // In a group chat each reply names its own speaker.
    const author = (m.role === 'assistant' && m.speakerName) || (ctx.authors[m.role] ?? m.role);
    this.time = h('time', { class: 'message-time' });
    this.copyBtn = iconButton('act-copy', t('bubble.copyText'), 'copy', () => void this.copy());
    this.editBtn = iconButton('act-edit', t('common.edit'), 'edit', () => this.startEdit());
    this.deleteBtn = iconButton('act-delete', t('common.delete'), 'delete', () => void this.remove());
    this.branchBtn = iconButton('act-branch', t('bubble.branchHere'), 'branch', () => ctx.branch(this));
    this.regenerateBtn = iconButton('act-regenerate', t('bubble.regenerate'), 'regenerate', () => ctx.regenerate(this));
    this.continueBtn = iconButton('act-continue', t('bubble.continue'), 'continue', () => ctx.continueReply(this));
    this.actions = h('div', { class: 'message-actions' }, this.copyBtn, this.editBtn, this.branchBtn, this.deleteBtn);
    this.reasoningText = h('div', { class: 'reasoning-text' });
    this.reasoning = h('details', { class: 'reasoning', hidden: true }, h('summary', null, t('bubble.thinking')), this.reasoningText);
    this.body = h('div', { class: 'message-body' });
    this.typing = h(
      'div',
      { class: 'typing', hidden: true },
      ...[1, 2, 3].map(() => h('span', { class: 'dot' })),
      h('span', { class: 'sr-only' }, t('bubble.isWriting', { name: author })),
    );
    this.errorText = h('p', { class: 'message-error-text' });
    this.retryBtn = h('button', { type: 'button', class: 'btn small act-retry', onclick: () => ctx.regenerate(this) }, t('bubble.retry'));
    this.error = h('div', { class: 'message-error', hidden: true }, this.errorText);
    this.note = h('p', { class: 'message-note', hidden: true });
    this.prevBtn = h('button', { type: 'button', class: 'icon-btn swipe-prev', 'aria-label': t('bubble.previousVersion'), title: t('bubble.previousVersion'), onclick: () => void this.swipeTo(this.m.activeSwipe - 1) }, '\u2039');
    this.countEl = h('span', { class: 'swipe-count', 'aria-live': 'polite' });
    this.nextBtn = h('button', { type: 'button', class: 'icon-btn swipe-next', 'aria-label': t('bubble.nextVersion'), title: t('bubble.nextVersion'), onclick: () => void this.swipeTo(this.m.activeSwipe + 1) }, '\u203a');
    this.swipes = h('div', { class: 'swipes', role: 'group', 'aria-label': t('bubble.versions'), hidden: true }, this.prevBtn, this.countEl, this.nextBtn);
    this.info = h('p', { class: 'message-info', hidden: true });
    this.foot = h('div', { class: 'message-foot', hidden: true }, this.swipes, this.info);
    this.el = h(
      'article',
      { class: `message role-${m.role}`, data: { role: m.role, id: m.id }, 'aria-label': author },
      h('div', { class: 'message-head' }, speakerPicture(m.role, author, ctx, m.speakerId), h('span', { class: 'message-author' }, author), this.time, this.actions),
      this.reasoning,
      this.body,
      this.typing,
      this.error,
      this.note,
      this.foot,
    );
    this.fill(m, shown);
  }

  get live() {
    return this.m.status === 'pending' || this.m.status === 'streaming';
  }

  /** Must stay in the DOM when the chat trims what it shows: streaming, being edited, or a request about it in flight. */
  get pinned() {
    return this.live || this.stream !== null || this.closeEditor !== null || this.working;
  }

  /** The message's text as it stands, including what streamed in. */
  text() {
    return this.stream ? this.baseText + this.stream.text() : this.m.content;
  }

  /**
   * Shows a message as stored: the body once, then everything around it.
   * @param {api.Message} m
   * @param {import('./render.js').Shown} shown
   * @param {string | null} [error] words for a failure, when the end said more than the metadata
   * @param {boolean} [keepBody] the body already shows `m` as plain text (a long reply's streamed blocks)
   */
  fill(m, shown, error, keepBody = false) {
    this.version += 1;
    this.closeEditor?.();
    this.m = m;
    this.stream = null;
    this.thinking = null;
    this.shownText = shown.text;
    if (keepBody) {
      this.body.classList.add('plain');
    } else if (shown.html === null) {
      fillPlain(this.body, shown.text);
      this.body.classList.add('plain');
    } else {
      setSanitizedHtml(this.body, shown.html);
      this.body.classList.remove('plain');
    }
    this.time.dateTime = m.createdAt;
    this.time.title = when(m.createdAt);
    this.time.textContent = ago(m.createdAt);
    const reasoning = typeof m.metadata?.reasoning === 'string' ? m.metadata.reasoning : '';
    this.reasoningText.textContent = reasoning;
    this.reasoning.hidden = reasoning === '';
    const words = this.live ? { error: '', note: '' } : endWords(m, error);
    this.errorText.textContent = words.error;
    this.note.textContent = words.note;
    if (m.role === 'assistant' && !this.live) {
      const [line, title] = infoLine(m.metadata ?? {});
      this.info.textContent = line;
      this.info.title = title;
    } else {
      this.info.textContent = '';
    }
    this.status();
  }

  /**
   * Starts showing a reply being written into this message (send,
   * regenerate, continue, or one already running when the chat opened).
   * @param {api.Message} m the message as the reply's start gave it; its content is the text so far
   * @param {boolean} keep keep the shown body and append after it (continue: `m.content` is what it shows)
   */
  begin(m, keep) {
    this.version += 1;
    this.closeEditor?.();
    this.m = { ...m };
    const onWritten = () => this.ctx.written(this);
    if (keep) {
      this.baseText = m.content;
      this.stream = new StreamText('', { onWritten });
    } else {
      this.baseText = '';
      this.stream = new StreamText(m.content, { onWritten });
      this.body.replaceChildren();
      this.body.classList.remove('plain');
    }
    this.body.append(this.stream.el);
    const reasoning = typeof m.metadata?.reasoning === 'string' ? m.metadata.reasoning : '';
    this.thinking = new StreamText(reasoning);
    this.reasoningText.replaceChildren(this.thinking.el);
    this.reasoning.hidden = reasoning === '';
    this.errorText.textContent = '';
    this.note.textContent = '';
    this.info.textContent = '';
    this.status();
  }

  /**
   * Appends streamed text (drawn at the next frame). Kept as small as it gets: it runs for every delta.
   * @param {string} text
   */
  append(text) {
    if (!this.stream) return;
    if (this.m.status === 'pending') {
      this.m.status = 'streaming';
      this.el.dataset.status = 'streaming';
      this.typing.hidden = true;
    }
    this.stream.append(text);
  }

  /** Appends the model's thinking, shown folded above the text. @param {string} text */
  appendReasoning(text) {
    if (!this.thinking) return;
    if (this.reasoning.hidden) this.reasoning.hidden = false;
    this.thinking.append(text);
  }

  /**
   * The finished reply is not in the database yet (busy, locked, full): say
   * so until it is saved and ends. @param {string} words
   */
  notSaved(words) {
    this.errorText.textContent = words.charAt(0).toUpperCase() + words.slice(1);
    this.status();
  }

  /**
   * The reply ended: show it as stored, once, with Markdown.
   * @param {EndKind} status
   * @param {api.Message | null} message the stored message (null if it could not be read)
   * @param {string | null} error the failure's words, for an error
   */
  async end(status, message, error) {
    const version = this.version;
    const m = message ?? { ...this.m, status, content: this.text(), updatedAt: new Date().toISOString() };
    // The status changes together with the body, once the Markdown is back.
    const [shown] = await this.ctx.render([m]);
    if (version !== this.version) return;
    // A reply too long for Markdown already shows as plain blocks: rebuilding
    // them all would cost one long frame at its end.
    const stream = this.stream;
    let keep = false;
    if (shown.html === null && stream && !this.baseText) {
      stream.drain();
      keep = stream.text() === shown.text;
    }
    this.fill(m, shown, error, keep);
  }

  /** @param {boolean} last */
  setLast(last) {
    this.isLast = last;
    this.el.classList.toggle('is-last', last);
    this.controls();
  }

  /** Status, notes and what can be clicked, from `this.m`. */
  status() {
    const m = this.m;
    this.el.dataset.status = m.status;
    if (this.live) this.el.setAttribute('aria-busy', 'true');
    else this.el.removeAttribute('aria-busy');
    this.typing.hidden = !(this.stream && m.status === 'pending');
    this.error.hidden = this.errorText.textContent === '';
    this.note.hidden = this.note.textContent === '';
    this.info.hidden = this.info.textContent === '';
    this.controls();
  }

  /** Enables and shows the buttons that fit the message's state and place. */
  controls() {
    const m = this.m;
    const live = this.live;
    const busy = this.ctx.busy() || this.working;
    const replyAtEnd = this.isLast && m.role === 'assistant';
    this.editBtn.disabled = this.deleteBtn.disabled = this.branchBtn.disabled = live || this.working;
    if (replyAtEnd) {
      if (!this.regenerateBtn.isConnected) this.actions.append(this.regenerateBtn, this.continueBtn);
      this.regenerateBtn.disabled = busy || live;
      this.continueBtn.disabled = busy || live || m.content === '';
    } else {
      this.regenerateBtn.remove();
      this.continueBtn.remove();
    }
    if (replyAtEnd && m.status === 'failed') {
      if (!this.retryBtn.isConnected) this.error.append(this.retryBtn);
      this.retryBtn.disabled = busy;
    } else {
      this.retryBtn.remove();
    }
    const swipeCount = Math.max(m.swipeCount, 1);
    this.swipes.hidden = swipeCount <= 1 && !(replyAtEnd && !this.ctx.isFirst(this)); // issue 12: always on the last reply
    this.countEl.textContent = `${m.activeSwipe + 1}/${swipeCount}`;
    this.prevBtn.disabled = live || busy || m.activeSwipe <= 0;
    const atEnd = m.activeSwipe + 1 >= swipeCount;
    // Past the last version: the last reply gets a new one; a greeting
    // goes round to its first.
    const greeting = this.ctx.isFirst(this);
    this.nextBtn.disabled = live || busy || (atEnd && !replyAtEnd && !greeting);
    const nextLabel = !atEnd ? t('bubble.nextVersion') : greeting ? t('bubble.firstVersion') : t('bubble.newVersion');
    this.nextBtn.title = nextLabel;
    this.nextBtn.setAttribute('aria-label', nextLabel);
    this.foot.hidden = this.swipes.hidden && this.info.hidden;
  }

  /**
   * Shows another version; past the last one of the last reply, writes a new one.
   * @param {number} index
   */
  async swipeTo(index) {
    if (this.working || this.live || this.ctx.busy() || index < 0) return;
    if (index >= this.m.swipeCount) {
      if (this.ctx.isFirst(this)) {
        index = 0;
      } else {
        if (this.isLast && this.m.role === 'assistant') this.ctx.regenerate(this);
        return;
      }
    }
    clearBanner();
    this.working = true;
    this.controls();
    const version = this.version;
    try {
      const updated = await api.messages.swipe(this.m.id, index);
      const [shown] = await this.ctx.render([updated]);
      this.working = false;
      if (version === this.version) this.fill(updated, shown);
    } catch (e) {
      showError(e);
    } finally {
      this.working = false;
      this.controls();
    }
  }

  async copy() {
    const text = this.stream ? this.text() : this.shownText;
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no-clipboard'); // never shown: the catch says it
      await navigator.clipboard.writeText(text);
      toast(t('bubble.copied'));
    } catch {
      toast(t('bubble.copyUnavailable'));
    }
  }

  startEdit() {
    if (this.closeEditor || this.live || this.working) return;
    const m = this.m;
    const area = h('textarea', { class: 'message-edit', 'aria-label': t('bubble.messageText'), rows: Math.min(14, Math.max(3, m.content.split('\n').length + 1)), value: m.content });
    const save = h('button', { type: 'button', class: 'btn primary small', onclick: () => void saveEdit() }, t('common.save'));
    const cancel = h('button', { type: 'button', class: 'btn small', onclick: () => stop() }, t('common.cancel'));
    const box = h('div', { class: 'message-editor' }, area, h('div', { class: 'message-edit-actions' }, h('span', { class: 'hint' }, t('bubble.editHint')), cancel, save));
    area.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        stop();
        this.editBtn.focus();
      }
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        void saveEdit();
      }
    });
    this.body.replaceWith(box);
    this.el.classList.add('editing');
    area.focus();

    const stop = () => {
      box.replaceWith(this.body);
      this.el.classList.remove('editing');
      this.closeEditor = null;
    };
    this.closeEditor = stop;
    const saveEdit = async () => {
      clearBanner();
      save.disabled = true;
      try {
        const updated = await api.messages.update(m.id, area.value);
        const [shown] = await this.ctx.render([updated]);
        this.fill(updated, shown);
        this.ctx.edited();
      } catch (e) {
        showError(e);
        save.disabled = false;
      }
    };
  }

  async remove() {
    const ok = await confirmDialog({ title: t('bubble.deleteTitle'), message: t('bubble.deleteMessage'), confirmLabel: t('common.delete'), danger: true });
    if (!ok || this.live) return;
    try {
      await api.messages.remove(this.m.id);
      this.el.remove();
      this.ctx.removed(this);
    } catch (e) {
      showError(e);
    }
  }
}
