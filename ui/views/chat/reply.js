// @ts-check
// The reply controller: starts, joins and stops the chat's one reply and
// acts on the events of its channel. Its state is one field, changed only by
// `#go`:
//
//   idle ──start──> starting ──started──> streaming ──stop──> stopping
//    ^                 │                      │                  │
//    └──── refused ────┘<──── done / cancelled / error ──────────┘
//
// (a stop that fails goes back to streaming). It touches the DOM only
// through the reply's bubble (bubble.js); where bubbles come from and what
// else changes when a reply starts or ends is the host's (index.js).

import * as api from '../../api.js';
import { groups } from '../../api/groups.js';
import { answerWhenDrawn } from './pacing.js';

/** @typedef {import('./bubble.js').Bubble} Bubble */
/** @typedef {import('./bubble.js').EndKind} EndKind */
/** @typedef {"idle" | "starting" | "streaming" | "stopping"} ReplyState */
/** @typedef {"send" | "turn" | "regenerate" | "continue" | "attach"} StartKind */
/** @typedef {{generationId: string, userMessage: api.Message | null, message: api.Message}} StartedData */

/**
 * What the controller needs from the chat.
 * @typedef {{
 *   stateChanged: (state: ReplyState) => void,
 *   show: (kind: StartKind, started: StartedData, target: Bubble | null) => Bubble | null,
 *   ended: (bubble: Bubble | null, messageId: string, kind: EndKind, message: api.Message | null, error: api.AppError | null) => void,
 *   failed: (error: unknown) => void,
 *   stored?: (user: api.Message, why: "pickSpeaker" | "allMuted") => void,
 * }} ReplyHost
 * `show`: the bubble the reply is written into (for a send, the person's
 *   message and the reply are added first), or null while its message is not
 *   shown; the host then hands it over later with `adopt`.
 * `ended`: after the bubble (if any) was told; `failed`: a start or stop was refused.
 * `stored`: a group chat kept the person's message and started no reply (its turn order picked nobody).
 */

/** @type {Record<ReplyState, ReplyState[]>} */
const NEXT = {
  idle: ['starting'],
  starting: ['streaming', 'idle'],
  streaming: ['stopping', 'idle'],
  stopping: ['streaming', 'idle'],
};

/** @type {Record<"done" | "cancelled" | "error", EndKind>} */
const END_KIND = { done: 'completed', cancelled: 'cancelled', error: 'failed' }; // i18n-ignore: EndKind values (code), not words

/**
 * One reply, from its start to its end.
 * @typedef {{
 *   kind: StartKind, target: Bubble | null, begun: boolean,
 *   generationId: string, messageId: string, message: api.Message | null,
 *   bubble: Bubble | null, text: string, reasoning: string,
 * }} Run
 * `text` / `reasoning`: what came while no bubble showed the reply.
 */

export class ReplyController {
  /** @param {ReplyHost} host */
  constructor(host) {
    this.host = host;
    /** @type {ReplyState} */
    this.state = 'idle';
    /** @type {Run | null} the reply; events of any other channel are stale and dropped */
    this.run = null;
    this.closed = false;
  }

  /** A reply is being started or written. */
  get busy() {
    return this.state !== 'idle';
  }

  /** The one transition method. @param {ReplyState} next */
  #go(next) {
    if (!NEXT[this.state].includes(next)) {
      console.warn(`reply: no way from ${this.state} to ${next}`);
      return;
    }
    this.state = next;
    this.host.stateChanged(next);
  }

  /** @param {string} chatId @param {string} text @returns {Promise<boolean>} whether it started */
  send(chatId, text) {
    return this.#start('send', null, async (onEvent) => {
      const started = await api.replies.send(chatId, text, onEvent);
      // A group chat's turn order may pick nobody (manual order): the
      // person's message is stored and no reply starts.
      if ('noReply' in started) {
        this.host.stored?.(started.userMessage, started.noReply);
        return 'stored';
      }
      return started;
    });
  }

  /**
   * A group member's turn without a message from the person: `speakerId`
   * talks (force talk), or the one the chat's turn order picks (auto-mode).
   * @param {string} chatId @param {string | null} speakerId
   */
  turn(chatId, speakerId) {
    return this.#start('turn', null, async (onEvent) => (await groups.turn(chatId, speakerId, onEvent)) ?? 'none');
  }

  /** @param {Bubble} bubble the last reply, which gets a new version */
  regenerate(bubble) {
    return this.#start('regenerate', bubble, (onEvent) => api.replies.regenerate(bubble.m.id, onEvent));
  }

  /** @param {Bubble} bubble the last reply, which the new text extends */
  continueReply(bubble) {
    return this.#start('continue', bubble, (onEvent) => api.replies.continueReply(bubble.m.id, onEvent));
  }

  /** Joins the reply the chat is writing, if there is one (when the chat opens). @param {string} chatId */
  attach(chatId) {
    return this.#start('attach', null, async (onEvent) => {
      const attached = await api.replies.attach(chatId, onEvent);
      return attached ? 'joined' : 'none';
    });
  }

  /**
   * @param {StartKind} kind
   * @param {Bubble | null} target
   * @param {(onEvent: (ev: api.ReplyEvent) => void) => Promise<StartedData | "joined" | "none" | "stored">} call
   * @returns {Promise<boolean>}
   */
  async #start(kind, target, call) {
    if (this.state !== 'idle' || this.closed) return false;
    /** @type {Run} */
    const run = { kind, target, begun: false, generationId: '', messageId: '', message: null, bubble: null, text: '', reasoning: '' };
    this.run = run;
    this.#go('starting');
    try {
      const result = await call((ev) => this.#event(run, ev));
      if (this.run !== run) return true; // it already ended
      if (result === 'none' || result === 'stored') {
        this.#finish(run);
        // Nothing started: a stored message was sent; an attach found nothing to join.
        return result === 'stored' || kind === 'attach';
      }
      if (result !== 'joined' && !run.begun) this.#begin(run, result);
      return true;
    } catch (e) {
      if (this.run === run) this.#finish(run);
      if (kind !== 'attach') this.host.failed(e);
      return false;
    }
  }

  /**
   * The reply has begun, from whichever says so first: its channel's
   * `started` or the start command's answer.
   * @param {Run} run @param {StartedData} started
   */
  #begin(run, started) {
    run.begun = true;
    run.generationId = started.generationId;
    run.messageId = started.message.id;
    run.message = started.message;
    run.text = started.message.content;
    const reasoning = started.message.metadata?.reasoning;
    run.reasoning = typeof reasoning === 'string' ? reasoning : '';
    const bubble = this.host.show(run.kind, started, run.target);
    if (bubble) this.adopt(bubble);
    if (this.state === 'starting') this.#go('streaming');
  }

  /**
   * A bubble now shows the reply's message (it was off screen, or a page
   * brought it in again): the reply is written into it from here on.
   * @param {Bubble} bubble
   */
  adopt(bubble) {
    const run = this.run;
    if (!run || !run.begun || !run.message || bubble.m.id !== run.messageId) return;
    if (run.bubble === bubble) return;
    const keep = run.kind === 'continue' && run.target === bubble && run.bubble === null && run.text === run.message.content;
    bubble.begin({ ...run.message, content: run.text, metadata: { ...run.message.metadata, reasoning: run.reasoning } }, keep);
    run.bubble = bubble;
  }

  /** The bubble the reply is written into, if it is this message's. @param {string} messageId */
  bubbleFor(messageId) {
    return this.run?.messageId === messageId ? this.run.bubble : null;
  }

  /** @param {Run} run @param {api.ReplyEvent} ev */
  #event(run, ev) {
    if (this.run !== run || this.closed) return;
    switch (ev.event) {
      case 'started':
        if (!run.begun) this.#begin(run, ev.data);
        return;
      case 'delta':
        if (run.bubble) run.bubble.append(ev.data.text);
        else run.text += ev.data.text;
        // Parley sends the next delta once the frame that draws this one is drawn.
        answerWhenDrawn(run.generationId, ev.data.seq);
        return;
      case 'notSaved':
        // Not an end: the save goes on being tried, and the end follows.
        run.bubble?.notSaved(ev.data.error.error);
        return;
      case 'reasoning':
        if (run.bubble) run.bubble.appendReasoning(ev.data.text);
        else run.reasoning += ev.data.text;
        return;
      default: {
        const kind = END_KIND[ev.event];
        const message = ev.data.message ?? null;
        const error = ev.event === 'error' ? ev.data.error : null;
        this.#finish(run);
        if (!run.begun && error) this.host.failed(error);
        const bubble = run.bubble;
        if (bubble) void bubble.end(kind, message, error?.error ?? null).then(() => this.host.ended(bubble, run.messageId, kind, message, error));
        else this.host.ended(null, run.messageId, kind, message, error);
      }
    }
  }

  /** @param {Run} run */
  #finish(run) {
    if (this.run !== run) return;
    this.run = null;
    this.#go('idle');
  }

  /** Stops the reply being written; its end event says how it ended. */
  async stop() {
    const run = this.run;
    if (this.state !== 'streaming' || !run) return;
    this.#go('stopping');
    try {
      // false: it had already ended, and its end event says how.
      await api.replies.stop(run.generationId);
    } catch (e) {
      this.host.failed(e);
      if (this.run === run && /** @type {ReplyState} */ (this.state) === 'stopping') this.#go('streaming');
    }
  }

  /** The chat was left: events still on their way change nothing. */
  close() {
    this.closed = true;
    this.run = null;
  }
}
