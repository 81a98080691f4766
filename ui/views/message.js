// @ts-check
// One message of a chat: its bubble, actions, swipes and details, and the
// cheap streaming path. While a reply is written, the text of each frame is
// appended to a Text node (`appendData`), at most a frame's budget of it;
// nothing is re-parsed or rebuilt until the reply ends, when the body is
// replaced once with its rendered Markdown. Streamed text lives in block
// chunks of a few KB (split at line breaks where it can), each with
// `content-visibility: auto`, so an append lays out one chunk, not the whole
// reply; only the newest chunks stay in the DOM while the reply streams
// (the bubble shows its newest lines), the rest is kept as a string.

import * as api from '../api.js';
import { h, when, ago, setSanitizedHtml } from '../dom.js';
import { showError, confirmDialog, toast, clearBanner, sentence } from '../components.js';

/**
 * What a message needs from its chat.
 * @typedef {{
 *   authors: Record<api.Role, string>,
 *   busy: () => boolean,
 *   isFirst: (view: MessageView) => boolean,
 *   render: (texts: string[]) => Promise<(string | null)[]>,
 *   expand: (text: string) => string,
 *   regenerate: (view: MessageView) => void,
 *   continueReply: (view: MessageView) => void,
 *   removed: (view: MessageView) => void,
 *   edited: () => void,
 * }} MessageContext
 * `busy`: a reply is being started or written in the chat.
 * `isFirst`: the chat's first message (the greeting, whose versions are the alternate greetings).
 * `render`: sanitised HTML per text, or null where Markdown was unavailable (then shown as text);
 *   it puts the names in (`expand`) before rendering.
 * `expand`: the text with the chat's names in place of its macros (see expandMacros).
 */

const MACRO = /\{\{(char|user)\}\}|<(BOT|USER)>/gi;

/**
 * Puts the chat's names in place of `{{char}}` / `<BOT>` and `{{user}}` /
 * `<USER>` (the braces in any case, the angle form as written), as prompt
 * assembly does for the model (`substitute` in services/prompt.rs).
 * Greetings are stored with their macros, so this runs at display, before
 * Markdown (which would drop `<BOT>` as markup). One pass: a name that itself
 * contains a macro stays as written.
 * @param {string} text
 * @param {{char: string, user: string}} names
 */
export function expandMacros(text, names) {
  if (!text.includes('{{') && !text.includes('<')) return text;
  return text.replace(MACRO, (match, /** @type {string | undefined} */ brace, /** @type {string | undefined} */ angle) => {
    if (brace) return brace.toLowerCase() === 'char' ? names.char : names.user;
    if (angle === 'BOT') return names.char;
    if (angle === 'USER') return names.user;
    return match; // <bot>, <User>: not macros
  });
}

/** Messages longer than this are shown as plain chunked text, not Markdown. */
export const PLAIN_LIMIT = 100_000;
/** A chunk is closed at the next line break after this many characters... */
const CHUNK_SOFT = 2048;
/** ...or, with no line break in sight, at a space after this many. */
const CHUNK_HARD = 16384;

/** At most this many characters of streamed text reach the DOM per frame,
 * so a frame's layout stays small however fast the provider is. A reply
 * being written shows only its newest lines, so when more arrives in one
 * frame, the text before its last FRAME_BUDGET characters would scroll out
 * of sight at once: it is kept aside (`older`), not laid out, and the
 * window never falls behind the stream. */
const FRAME_BUDGET = 8192;
/** Chunks kept in the DOM while a reply is written (the newest lines). */
const KEPT_CHUNKS = 4;

/** A new, empty chunk of streamed text inside `box`; returns its Text node. */
function newChunk(/** @type {HTMLElement} */ box) {
  const text = document.createTextNode('');
  box.append(h('span', { class: 'stream-chunk' }, text));
  return text;
}

/**
 * Appends `text` to the chunk `node`, opening new chunks in `box` where a
 * chunk has grown past its size. Returns the chunk to append to next.
 * @param {HTMLElement} box @param {Text} node @param {string} text
 */
function appendChunked(box, node, text) {
  let current = node;
  let rest = text;
  while (rest) {
    let cut = -1;
    if (current.length >= CHUNK_HARD) {
      cut = rest.indexOf(' ') + 1 || rest.length;
    } else if (current.length >= CHUNK_SOFT) {
      cut = rest.indexOf('\n') + 1;
    }
    if (cut <= 0) {
      current.appendData(rest);
      break;
    }
    current.appendData(rest.slice(0, cut));
    rest = rest.slice(cut);
    current = newChunk(box);
  }
  return current;
}

/** Plain text as chunks, for messages too long for Markdown. @param {HTMLElement} box @param {string} text */
function fillChunked(box, text) {
  box.replaceChildren();
  appendChunked(box, newChunk(box), text);
}

/** @type {Record<string, string>} stroke paths on a 24x24 grid */
const ICONS = {
  copy: 'M9 9h11v11H9z M5 15H4V4h11v1',
  edit: 'M4 20h4L19 9l-4-4L4 16v4z M13.5 6.5l4 4',
  delete: 'M4 7h16 M10 11v6 M14 11v6 M6 7l1 13h10l1-13 M9 7V4h6v3',
  regenerate: 'M20 12a8 8 0 1 1-2.4-5.7 M20 4v5h-5',
  continue: 'M5 6l6 6-6 6 M13 6l6 6-6 6',
};

/** A small line icon, drawn by CSS (`.icon`). @param {string} name */
function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name] ?? '');
  svg.append(path);
  return svg;
}

/**
 * An icon button; the label is its accessible name and tooltip.
 * @param {string} cls @param {string} label @param {string} iconName @param {() => void} onclick
 */
function iconButton(cls, label, iconName, onclick) {
  return h('button', { type: 'button', class: `icon-btn ${cls}`, 'aria-label': label, title: label, onclick }, icon(iconName));
}

/** @param {unknown} v */
const count = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const numbers = new Intl.NumberFormat();
/** @param {number} ms */
const seconds = (ms) => `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`;

/**
 * "model · 812 → 256 tokens · 4.1 s", and a longer tooltip.
 * @param {api.MessageMetadata} meta
 * @returns {[string, string]}
 */
function infoLine(meta) {
  const parts = [];
  const details = [];
  if (typeof meta.model === 'string' && meta.model) parts.push(meta.model);
  if (typeof meta.provider === 'string' && meta.provider) details.push(`Provider: ${meta.provider}`);
  const input = count(meta.inputTokens);
  const output = count(meta.outputTokens);
  if (input !== null && output !== null) parts.push(`${numbers.format(input)} \u2192 ${numbers.format(output)} tokens`);
  else if (output !== null) parts.push(`${numbers.format(output)} tokens`);
  if (input !== null) details.push(`Prompt: ${numbers.format(input)} tokens`);
  if (output !== null) details.push(`Reply: ${numbers.format(output)} tokens`);
  const duration = count(meta.durationMs);
  if (duration !== null) parts.push(seconds(duration));
  const first = count(meta.timeToFirstTokenMs);
  if (first !== null) details.push(`First text after ${seconds(first)}`);
  if (typeof meta.finishReason === 'string' && meta.finishReason) details.push(`Finish: ${meta.finishReason}`);
  return [parts.join(' \u00b7 '), details.join('\n')];
}

export class MessageView {
  /**
   * @param {api.Message} m
   * @param {string | null} html the rendered content, or null to show it as text
   * @param {MessageContext} ctx
   */
  constructor(m, html, ctx) {
    this.ctx = ctx;
    this.m = m;
    this.isLast = false;
    /** Bumped by every re-render; async work that finds it changed drops its result. */
    this.version = 0;
    /** A request about this message (swipe, edit, delete) is in flight. */
    this.working = false;
    /** @type {Text | null} the chunk deltas go to while a reply is written into this message */
    this.stream = null;
    /** @type {HTMLElement | null} the chunks of streamed text */
    this.streamBox = null;
    /** Streamed text not yet in the DOM (until the next frame). */
    this.pending = '';
    this.flushQueued = false;
    /** Streamed text before the chunks in the DOM, which keep only the newest lines. */
    this.older = '';
    /** The text before the streamed part (continue appends to it). */
    this.baseText = '';
    /** @type {(() => void) | null} closes the inline editor */
    this.closeEditor = null;

    const author = ctx.authors[m.role] ?? m.role;
    this.time = h('time', { class: 'message-time' });
    this.copyBtn = iconButton('act-copy', 'Copy text', 'copy', () => void this.copy());
    this.editBtn = iconButton('act-edit', 'Edit', 'edit', () => this.startEdit());
    this.deleteBtn = iconButton('act-delete', 'Delete', 'delete', () => void this.remove());
    this.regenerateBtn = iconButton('act-regenerate', 'Regenerate (a new version)', 'regenerate', () => ctx.regenerate(this));
    this.continueBtn = iconButton('act-continue', 'Continue the reply', 'continue', () => ctx.continueReply(this));
    this.actions = h('div', { class: 'message-actions' }, this.copyBtn, this.editBtn, this.deleteBtn);
    this.reasoningText = h('div', { class: 'reasoning-text' });
    this.reasoning = h('details', { class: 'reasoning', hidden: true }, h('summary', null, 'Reasoning'), this.reasoningText);
    this.body = h('div', { class: 'message-body' });
    this.typing = h(
      'div',
      { class: 'typing', hidden: true },
      h('span', { class: 'dot' }),
      h('span', { class: 'dot' }),
      h('span', { class: 'dot' }),
      h('span', { class: 'sr-only' }, `${author} is writing\u2026`),
    );
    this.errorText = h('p', { class: 'message-error-text' });
    this.retryBtn = h('button', { type: 'button', class: 'btn small act-retry', onclick: () => ctx.regenerate(this) }, 'Retry');
    this.error = h('div', { class: 'message-error', hidden: true }, this.errorText);
    this.note = h('p', { class: 'message-note', hidden: true }, 'Stopped');
    this.prevBtn = h('button', { type: 'button', class: 'icon-btn swipe-prev', 'aria-label': 'Previous version', title: 'Previous version', onclick: () => void this.swipeTo(this.m.activeSwipe - 1) }, '\u2039');
    this.countEl = h('span', { class: 'swipe-count', 'aria-live': 'polite' });
    this.nextBtn = h('button', { type: 'button', class: 'icon-btn swipe-next', 'aria-label': 'Next version', title: 'Next version', onclick: () => void this.swipeTo(this.m.activeSwipe + 1) }, '\u203a');
    this.swipes = h('div', { class: 'swipes', role: 'group', 'aria-label': 'Versions', hidden: true }, this.prevBtn, this.countEl, this.nextBtn);
    this.info = h('p', { class: 'message-info', hidden: true });
    this.foot = h('div', { class: 'message-foot', hidden: true }, this.swipes, this.info);
    this.el = h(
      'article',
      { class: `message role-${m.role}`, data: { role: m.role, id: m.id }, 'aria-label': author },
      h('div', { class: 'message-head' }, h('span', { class: 'message-author' }, author), this.time, this.actions),
      this.reasoning,
      this.body,
      this.typing,
      this.error,
      this.note,
      this.foot,
    );
    this.fill(m, html);
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
    return this.stream && this.streamBox
      ? this.baseText + this.older + (this.streamBox.textContent ?? '') + this.pending
      : this.m.content;
  }

  /**
   * Shows a message as stored: the body once, then everything around it.
   * @param {api.Message} m
   * @param {string | null} html
   * @param {string | null} [error] words for a failure, when the event said more than the metadata
   */
  fill(m, html, error) {
    this.version += 1;
    this.closeEditor?.();
    this.m = m;
    this.stream = null;
    this.streamBox = null;
    this.pending = '';
    this.older = '';
    if (html === null) {
      fillChunked(this.body, this.ctx.expand(m.content));
      this.body.classList.add('plain');
    } else {
      setSanitizedHtml(this.body, html);
      this.body.classList.remove('plain');
    }
    this.time.dateTime = m.createdAt;
    this.time.title = when(m.createdAt);
    this.time.textContent = ago(m.createdAt);
    const reasoning = typeof m.metadata?.reasoning === 'string' ? m.metadata.reasoning : '';
    this.reasoningText.textContent = reasoning;
    this.reasoning.hidden = reasoning === '';
    const failure = error || (typeof m.metadata?.error === 'string' ? m.metadata.error : '');
    this.errorText.textContent = m.status === 'failed' ? sentence(failure || 'the reply failed') : '';
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
   * @param {api.Message} m the message as the start returned it (status `pending`)
   * @param {boolean} keep keep the shown text and append after it (continue, or joining a running reply)
   */
  begin(m, keep) {
    this.version += 1;
    this.closeEditor?.();
    this.m = { ...m };
    if (keep) {
      this.baseText = m.content;
    } else {
      this.baseText = '';
      this.body.replaceChildren();
      this.body.classList.remove('plain');
    }
    this.older = '';
    this.streamBox = h('div', { class: 'stream-text' });
    this.body.append(this.streamBox);
    this.stream = newChunk(this.streamBox);
    this.errorText.textContent = '';
    this.reasoning.hidden = true;
    this.info.textContent = '';
    this.status();
  }

  /**
   * Appends streamed text. Kept as small as it gets: it runs for every delta.
   * @param {string} text
   */
  append(text) {
    const stream = this.stream;
    if (!stream) return;
    if (this.m.status === 'pending') {
      this.m.status = 'streaming';
      this.el.dataset.status = 'streaming';
      this.typing.hidden = true;
    }
    this.pending += text;
    if (!this.flushQueued) {
      this.flushQueued = true;
      requestAnimationFrame(() => this.flush());
    }
  }

  /** Moves the text that came since the last frame into the DOM (its newest FRAME_BUDGET characters at most). */
  flush() {
    this.flushQueued = false;
    const box = this.streamBox;
    if (!this.stream || !box || !this.pending) return;
    let text = this.pending;
    this.pending = '';
    if (text.length > FRAME_BUDGET) {
      let cut = text.length - FRAME_BUDGET;
      const unit = text.charCodeAt(cut);
      if (unit >= 0xdc00 && unit <= 0xdfff) cut += 1; // not between a surrogate pair
      this.older += (box.textContent ?? '') + text.slice(0, cut);
      text = text.slice(cut);
      box.replaceChildren();
      this.stream = newChunk(box);
    }
    this.stream = appendChunked(box, this.stream, text);
    while (box.childElementCount > KEPT_CHUNKS && box.firstElementChild) {
      this.older += box.firstElementChild.textContent ?? '';
      box.firstElementChild.remove();
    }
  }

  /**
   * The reply ended: show it as stored, once, with Markdown.
   * @param {"completed"|"cancelled"|"failed"} status
   * @param {api.EndEvent} ev
   */
  async end(status, ev) {
    const version = this.version;
    const m = ev.message ?? { ...this.m, status, content: this.text(), updatedAt: new Date().toISOString() };
    // The status changes together with the body, once the Markdown is back.
    const [html] = m.content.length > PLAIN_LIMIT ? [null] : await this.ctx.render([m.content]);
    if (version !== this.version) return;
    this.fill(m, html ?? null, ev.error?.error ?? null);
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
    this.error.hidden = m.status !== 'failed';
    this.note.hidden = m.status !== 'cancelled';
    this.info.hidden = this.info.textContent === '';
    this.controls();
  }

  /** Enables and shows the buttons that fit the message's state and place. */
  controls() {
    const m = this.m;
    const live = this.live;
    const busy = this.ctx.busy() || this.working;
    const replyAtEnd = this.isLast && m.role === 'assistant';
    this.editBtn.disabled = live || this.working;
    this.deleteBtn.disabled = live || this.working;
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
    const swipeCount = Math.max(m.swipeCount, 0);
    this.swipes.hidden = swipeCount <= 1;
    this.countEl.textContent = `${m.activeSwipe + 1}/${swipeCount}`;
    this.prevBtn.disabled = live || busy || m.activeSwipe <= 0;
    const atEnd = m.activeSwipe + 1 >= swipeCount;
    // Past the last version: the last reply gets a new one; a greeting
    // goes round to its first.
    const greeting = this.ctx.isFirst(this);
    this.nextBtn.disabled = live || busy || (atEnd && !replyAtEnd && !greeting);
    const nextLabel = !atEnd ? 'Next version' : greeting ? 'First version' : 'Write a new version';
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
      const [html] = await this.ctx.render([updated.content]);
      this.working = false;
      if (version === this.version) this.fill(updated, html ?? null);
    } catch (e) {
      showError(e);
    } finally {
      this.working = false;
      this.controls();
    }
  }

  async copy() {
    const text = this.ctx.expand(this.text());
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
      toast('Copied');
    } catch {
      toast('Copying is not available here');
    }
  }

  startEdit() {
    if (this.closeEditor || this.live || this.working) return;
    const m = this.m;
    const area = h('textarea', { class: 'message-edit', 'aria-label': 'Message text', rows: Math.min(14, Math.max(3, m.content.split('\n').length + 1)), value: m.content });
    const save = h('button', { type: 'button', class: 'btn primary small', onclick: () => void saveEdit() }, 'Save');
    const cancel = h('button', { type: 'button', class: 'btn small', onclick: () => stop() }, 'Cancel');
    const box = h('div', { class: 'message-editor' }, area, h('div', { class: 'message-edit-actions' }, h('span', { class: 'hint' }, 'Ctrl+Enter to save, Esc to cancel'), cancel, save));
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
        const [html] = await this.ctx.render([updated.content]);
        this.fill(updated, html ?? null);
        this.ctx.edited();
      } catch (e) {
        showError(e);
        save.disabled = false;
      }
    };
  }

  async remove() {
    const ok = await confirmDialog({ title: 'Delete this message?', message: 'It is removed from the chat for good, with all its versions.', confirmLabel: 'Delete', danger: true });
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
