// @ts-check
// The chat's message list: what is shown of the chat, and where the view is.
//
// Long chats are windowed: at most MAX_RENDERED messages are in the DOM. A
// page loaded above drops as many from the bottom and the other way round
// (one function, `loadPage`, both ways), what is on screen held in place.
// The chat can open around a message (a search hit); "Jump to latest" goes
// back to the end. The view follows the newest text while the person is at
// the bottom, and stays where they put it once they scroll up.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { showError, showBanner } from '../../components.js';
import { Bubble } from './bubble.js';
import { keepLinksOutside } from './links.js';
import { unshown } from './render.js';

/** Messages per page. */
const PAGE = 50;
/** Messages read around the one a link opens the chat at. */
const AROUND = 100;
/**
 * At most this many messages are in the DOM: a 100,000-message chat then
 * lays out, and holds in memory, what a 200-message one does.
 */
const MAX_RENDERED = 200;
/**
 * While the end that would make room cannot (a reply streams there, or an
 * editor is open), pages still load up to this many; then they wait.
 */
const MAX_PINNED = 2 * MAX_RENDERED;
/** The next page loads when the view comes this close (px) to an end of what is shown. */
const EDGE = 240;

/**
 * What the list needs from the chat: the bubbles' context without the parts
 * the list supplies itself, and the reply being written.
 * @typedef {Omit<import('./bubble.js').BubbleContext, 'isFirst' | 'removed' | 'written'> & {
 *   changedChats: () => void,
 *   replyBubble: (messageId: string) => Bubble | null,
 *   adopt: (bubble: Bubble) => void,
 * }} ListContext
 */

export class MessageList {
  /** @param {string} chatId @param {ListContext} ctx */
  constructor(chatId, ctx) {
    this.chatId = chatId;
    this.ctx = ctx;
    /** @type {import('./bubble.js').BubbleContext} */
    this.bubbleCtx = {
      ...ctx,
      isFirst: (b) => !this.hasBefore && this.list.firstElementChild === b.el,
      removed: () => {
        this.refreshLast();
        ctx.changedChats();
      },
      written: () => this.#written(),
    };
    this.list = h('div', { id: 'messages', class: 'messages', role: 'log', 'aria-label': t('chatList.messages') });
    this.earlier = h('button', { type: 'button', id: 'load-earlier', class: 'btn subtle small', hidden: true, onclick: () => void this.loadPage('earlier') }, t('chatList.loadEarlier'));
    this.later = h('button', { type: 'button', id: 'load-later', class: 'btn subtle small', hidden: true, onclick: () => void this.loadPage('later') }, t('chatList.loadLater'));
    this.jump = h('button', { type: 'button', id: 'jump-latest', class: 'btn jump-latest', hidden: true, title: t('chatList.jumpTitle'), onclick: () => this.jumpToLatest() }, t('chatList.jump'));
    this.empty = h('p', { class: 'empty chat-empty', hidden: true }, t('chatList.empty'));
    this.el = h('div', { class: 'chat-scroll' }, h('div', { class: 'chat-column' }, this.earlier, this.list, this.empty, this.later, this.jump));
    /** The chat has messages before the first one shown / after the last one shown. */
    this.hasBefore = false;
    this.hasAfter = false;
    /** A page is being loaded (one at a time). */
    this.loading = false;
    /** Bumped when the whole window is replaced: pages still on their way are then dropped. */
    this.epoch = 0;
    /** @type {WeakMap<Element, Bubble>} */
    this.bubbles = new WeakMap();
    /** @type {Bubble | null} the last message, which can be regenerated and continued */
    this.lastBubble = null;
    /** @type {Map<string, {kind: import('./bubble.js').EndKind, message: api.Message | null, error: string | null}>} how a reply that was not shown ended */
    this.ended = new Map();
    /** Keep the newest text in view: true while the person is at the bottom. */
    this.stick = true;
    this.lastTop = 0;

    // Only the person scrolling up unsticks the view: text that grew between
    // our own scroll and its event must not count as "scrolled away".
    this.el.addEventListener('scroll', () => this.#scrolled(), { passive: true });
    keepLinksOutside(this.list);
  }

  /** The bubble of a shown message. @param {Element | null} el */
  bubbleOf(el) {
    return (el && this.bubbles.get(el)) ?? null;
  }

  /**
   * The bubble for a message of a loaded page: the one a reply is being
   * written into if it is that message, else a new one, which joins the
   * running reply, or shows how a reply that ended out of sight ended.
   * @param {api.Message} m @param {import('./render.js').Shown} shown
   */
  place(m, shown) {
    const writing = this.ctx.replyBubble(m.id);
    if (writing) return writing;
    const bubble = new Bubble(m, shown, this.bubbleCtx);
    this.bubbles.set(bubble.el, bubble);
    if (bubble.live) {
      this.ctx.adopt(bubble);
      const end = this.ended.get(m.id);
      if (end && !bubble.stream) {
        this.ended.delete(m.id);
        void bubble.end(end.kind, end.message, end.error).then(() => this.refreshLast());
      }
    }
    return bubble;
  }

  /** @param {api.Message[]} items */
  async #bubbles(items) {
    const shown = await this.ctx.render(items);
    return () => items.map((m, i) => this.place(m, shown[i] ?? unshown(m)).el);
  }

  /**
   * A reply started at the end of the chat: the person's message (shown
   * as text at once, as Markdown a moment later) and the reply's bubble;
   * no reply when a group chat's turn order picked nobody.
   * @param {api.Message | null} user @param {api.Message | null} reply
   */
  appendStart(user, reply) {
    if (user) {
      const mine = this.place(user, unshown(user));
      this.list.append(mine.el);
      const version = mine.version;
      void this.ctx.render([user]).then(([shown]) => {
        if (shown && mine.version === version) mine.fill(mine.m, shown);
      });
    }
    const bubble = reply && this.place(reply, { html: '', text: reply.content });
    if (bubble) this.list.append(bubble.el);
    this.stick = true;
    this.#trim('top', null);
    this.refreshLast();
    this.scrollToBottom();
    return bubble;
  }

  /** A reply ended: its bubble shows it as stored; the list may shrink back. @param {Bubble | null} bubble */
  replyEnded(bubble) {
    if (bubble) {
      this.refreshLast();
      this.#settle(); // the reply no longer holds the bottom in place
      if (this.stick) this.scrollToBottom();
    }
  }

  /**
   * A reply ended while its message was not shown: a page read before the
   * end may still bring the message as it was while streaming.
   * @param {string} messageId @param {import('./bubble.js').EndKind} kind @param {api.Message | null} message @param {string | null} error
   */
  endedOutOfSight(messageId, kind, message, error) {
    this.ended.clear();
    this.ended.set(messageId, { kind, message, error });
  }

  /** Marks the last message (regenerate, continue, retry live there) and the empty state. */
  refreshLast() {
    this.bubbleOf(this.list.firstElementChild)?.controls();
    // With later messages not shown, none of those shown is the chat's last.
    const bubble = this.hasAfter ? null : this.bubbleOf(this.list.lastElementChild);
    if (bubble !== this.lastBubble) {
      this.lastBubble?.setLast(false);
      this.lastBubble = bubble;
    }
    bubble?.setLast(true);
    this.empty.hidden = this.list.childElementCount > 0 || this.hasBefore || this.hasAfter;
    this.#syncEdges();
  }

  #atBottom() {
    const s = this.el;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 48;
  }

  /** At the bottom of the chat itself, not only of what is shown. */
  #atEnd() {
    return !this.hasAfter && this.#atBottom();
  }

  scrollToBottom() {
    this.el.scrollTop = this.el.scrollHeight;
    this.lastTop = this.el.scrollTop;
  }

  /** Streamed text reached the page (in a frame callback): follow it, or stay put. */
  #written() {
    if (this.stick) this.scrollToBottom();
    else this.#syncJump();
  }

  #scrolled() {
    const top = this.el.scrollTop;
    if (top < this.lastTop - 1) this.stick = this.#atEnd();
    else if (this.#atEnd()) this.stick = true;
    this.lastTop = top;
    if (top < EDGE && this.hasBefore) void this.loadPage('earlier');
    else if (this.hasAfter && this.el.scrollHeight - top - this.el.clientHeight < EDGE) void this.loadPage('later');
    this.#syncJump();
  }

  jumpToLatest() {
    if (this.hasAfter) {
      void this.showLatest();
    } else {
      this.stick = true;
      this.scrollToBottom();
      this.#syncJump();
    }
  }

  /** "Jump to latest": while later messages are not shown, or the person is well above the end. */
  #syncJump() {
    const s = this.el;
    const below = s.scrollHeight - s.scrollTop - s.clientHeight;
    const hide = !(this.hasAfter || below > s.clientHeight * 1.5);
    // Runs on every scroll, streaming included: touch the DOM only on a change.
    if (this.jump.hidden !== hide) this.jump.hidden = hide;
  }

  /** The load buttons and "Jump to latest", from what is shown. */
  #syncEdges() {
    this.earlier.hidden = !this.hasBefore;
    this.later.hidden = !this.hasAfter;
    this.earlier.disabled = this.loading;
    this.later.disabled = this.loading;
    this.#syncJump();
  }

  /** The first message at least partly in view (the anchor that stays put). */
  #firstVisible() {
    const top = this.el.getBoundingClientRect().top;
    for (const el of this.list.children) if (el.getBoundingClientRect().bottom > top) return el;
    return this.list.lastElementChild;
  }

  /**
   * Changes what is shown without moving what is on screen: the first
   * message in view stays where it was, whatever is added or dropped above
   * or below it.
   * @param {(anchor: Element | null) => void} change
   */
  #keepInPlace(change) {
    const anchor = this.#firstVisible();
    const before = anchor ? anchor.getBoundingClientRect().top : 0;
    change(anchor);
    if (anchor?.isConnected) this.el.scrollTop += anchor.getBoundingClientRect().top - before;
    this.lastTop = this.el.scrollTop;
  }

  /**
   * Drops shown messages from one end until at most MAX_RENDERED remain.
   * Never a pinned one (streaming, being edited) or `keep`, nor anything
   * past them: what is shown stays one unbroken run of the chat.
   * @param {"top" | "bottom"} end
   * @param {Element | null} keep
   */
  #trim(end, keep) {
    let dropped = false;
    while (this.list.childElementCount > MAX_RENDERED) {
      const el = end === 'top' ? this.list.firstElementChild : this.list.lastElementChild;
      if (!el || el === keep || this.bubbleOf(el)?.pinned) break;
      el.remove();
      dropped = true;
    }
    if (dropped) end === 'top' ? (this.hasBefore = true) : (this.hasAfter = true);
  }

  /** Back under the bound once nothing pins an end: drops from the end further from the screen. */
  #settle() {
    if (this.list.childElementCount <= MAX_RENDERED) return;
    this.#keepInPlace((anchor) => {
      const index = anchor ? Array.prototype.indexOf.call(this.list.children, anchor) : 0;
      this.#trim(index < this.list.childElementCount / 2 ? 'bottom' : 'top', anchor);
    });
    this.refreshLast();
  }

  /**
   * The page before the first message shown ('earlier') or after the last
   * one ('later'); past the bound, as many drop off the other end.
   * @param {"earlier" | "later"} direction
   */
  async loadPage(direction) {
    const earlier = direction === 'earlier';
    const far = earlier ? 'bottom' : 'top';
    if (!(earlier ? this.hasBefore : this.hasAfter) || this.loading) return;
    // The far end can make room, or the window is still under its pinned bound.
    const farEl = earlier ? this.list.lastElementChild : this.list.firstElementChild;
    if (this.list.childElementCount >= MAX_PINNED && this.bubbleOf(farEl)?.pinned) return;
    const edge = /** @type {HTMLElement | null} */ (earlier ? this.list.firstElementChild : this.list.lastElementChild);
    if (!edge) {
      await this.showLatest();
      return;
    }
    const mine = this.epoch;
    this.loading = true;
    this.#syncEdges();
    try {
      const id = edge.dataset.id ?? '';
      const page = earlier ? await api.messages.page(this.chatId, id, PAGE) : await api.messageWindow.after(this.chatId, id, PAGE);
      const make = await this.#bubbles(page.items);
      // A newer window, or the edge message gone meanwhile: the next scroll asks again.
      if (mine !== this.epoch || edge !== (earlier ? this.list.firstElementChild : this.list.lastElementChild)) return;
      this.#keepInPlace((anchor) => {
        if (earlier) this.list.prepend(...make());
        else this.list.append(...make());
        this.#trim(far, anchor);
      });
      if (earlier) this.hasBefore = page.nextCursor !== null;
      else this.hasAfter = page.nextCursor !== null;
      this.refreshLast();
    } catch (e) {
      if (mine === this.epoch) showError(e);
    } finally {
      if (mine === this.epoch) {
        this.loading = false;
        this.#syncEdges();
      }
    }
  }

  /**
   * Shows the chat's last page in place of whatever is shown ("Jump to
   * latest", and a send from further up). Resolves to false when it failed.
   */
  async showLatest() {
    const mine = ++this.epoch;
    this.loading = true;
    this.#syncEdges();
    try {
      const page = await api.messages.page(this.chatId, null, PAGE);
      const make = await this.#bubbles(page.items);
      if (mine !== this.epoch) return false;
      this.list.replaceChildren(...make());
      this.hasBefore = page.nextCursor !== null;
      this.hasAfter = false;
      this.stick = true;
      this.refreshLast();
      this.scrollToBottom();
      return true;
    } catch (e) {
      if (mine === this.epoch) showError(e);
      return false;
    } finally {
      if (mine === this.epoch) {
        this.loading = false;
        this.#syncEdges();
      }
    }
  }

  /**
   * Shows what the chat opens with: the messages around `targetId` (in the
   * middle, highlighted a moment), or the last page (also when that message
   * is gone).
   * @param {string | null} targetId
   */
  async open(targetId) {
    /** @type {api.Window | null} */
    let shown = null;
    if (targetId) {
      try {
        shown = await api.messageWindow.around(this.chatId, targetId, AROUND);
      } catch (e) {
        const err = /** @type {api.AppError} */ (e);
        if (err?.type === 'NotFoundError') showBanner(t('chatList.targetGone'));
        else showError(e);
      }
    }
    if (!shown) {
      const page = await api.messages.page(this.chatId, null, PAGE);
      shown = { items: page.items, hasBefore: page.nextCursor !== null, hasAfter: false };
    }
    const make = await this.#bubbles(shown.items);
    this.list.append(...make());
    this.hasBefore = shown.hasBefore;
    this.hasAfter = shown.hasAfter;
    this.refreshLast();
    const target = targetId ? this.list.querySelector(`.message[data-id="${CSS.escape(targetId)}"]`) : null;
    if (target) {
      target.classList.add('is-target');
      target.scrollIntoView({ block: 'center' });
      this.lastTop = this.el.scrollTop;
      this.stick = this.#atEnd();
      this.#syncJump();
    } else if (!this.hasAfter) {
      this.scrollToBottom();
    }
  }
}
