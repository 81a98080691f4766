// @ts-check
// A chat: its messages (the last page first, earlier pages on demand, each
// page rendered as Markdown in one call), the composer, replies streaming in
// (one at a time: Send becomes Stop), "Show prompt", and the chat's own
// settings. Each message's bubble and actions live in message.js.
//
// Long chats are windowed: at most MAX_RENDERED messages are in the DOM. A
// page loaded above drops as many from the bottom and the other way round,
// with what is on screen held in place; scrolling back loads them again.
// `#/chat/<id>/<messageId>` opens the chat around that message (a search
// hit); "Jump to latest" goes back to the end, and so does a send.

import * as api from '../api.js';
import { h, append, field, input, val, optId } from '../dom.js';
import { submitting, showError, showBanner, showFieldError, confirmDialog, toast, viewHeader, clearBanner, openDialog } from '../components.js';
import { changed, navigate, onLeave } from '../state.js';
import { loadChoices, choiceSelect } from './choices.js';
import { MessageView, PLAIN_LIMIT, expandMacros } from './message.js';

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
/**
 * Tells Parley the window has drawn delta `seq` of a reply (0: its new
 * bubbles), once the frame being prepared is drawn: a task queued from a
 * frame callback runs after that frame. Parley sends the next delta then.
 * @param {string} generationId @param {number} seq
 */
function answerAfterFrame(generationId, seq) {
  requestAnimationFrame(() => setTimeout(() => void api.replies.shown(generationId, seq)));
}

/** The next page loads when the view comes this close (px) to an end of what is shown. */
const EDGE = 240;
/** The name `{{user}}` stands for when the chat has no persona (as in prompt assembly). */
const DEFAULT_USER_NAME = 'User';

/**
 * The persona / model / prompt selects shared by "New chat" and a chat's settings.
 * @param {import('./choices.js').Choices} choices
 * @param {Partial<api.ChatInput>} v
 * @param {boolean} withCharacter
 */
function chatFields(choices, v, withCharacter) {
  return [
    withCharacter ? field('Character', choiceSelect('characterId', choices.characters, v.characterId, 'No character (plain assistant)')) : null,
    field('Title', input('title', v.title, { maxlength: 500, placeholder: 'Named after the character' })),
    field('Persona', choiceSelect('userProfileId', choices.personas, v.userProfileId, 'None')),
    field('Model', choiceSelect('aiModelId', choices.models, v.aiModelId, 'None')),
    field('System prompt', choiceSelect('systemPromptId', choices.prompts, v.systemPromptId, 'None')),
  ].filter((x) => x !== null);
}

/**
 * "New chat": pick who and with what, prefilled from Settings.
 * @param {HTMLElement} root
 * @param {string[]} params `[]` or `[characterId]`
 */
export async function renderNewChat(root, params) {
  const [s, choices] = await Promise.all([api.settings.get(), loadChoices()]);
  const form = h('form', { id: 'new-chat-form', class: 'editor card narrow', novalidate: true, 'aria-label': 'New chat' });
  append(form, [
    h('div', { class: 'grid' }, ...chatFields(choices, {
      characterId: params[0] ?? s.defaultCharacterId,
      title: '',
      userProfileId: s.defaultUserProfileId,
      aiModelId: s.defaultAiModelId,
      systemPromptId: s.defaultSystemPromptId,
    }, true)),
    choices.models.length === 0
      ? h('p', { class: 'hint notice' }, 'No models yet. You can chat without one, but add a provider and a model in Providers & models to get replies.')
      : null,
    h('div', { class: 'form-footer' }, h('span', { class: 'spacer' }), h('button', { type: 'submit', class: 'btn primary', id: 'create-chat' }, 'Start chat')),
  ]);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void submitting(form, async () => {
      const chat = await api.chats.create({
        title: val(form, 'title').trim(),
        characterId: optId(form, 'characterId'),
        userProfileId: optId(form, 'userProfileId'),
        aiModelId: optId(form, 'aiModelId'),
        systemPromptId: optId(form, 'systemPromptId'),
      });
      changed('chats');
      navigate(`chat/${chat.id}`);
    });
  });
  root.append(viewHeader('New chat', 'The character opens with their first message; then it is your turn.'), form);
  if (choices.characters.length === 0) {
    form.before(h('p', { class: 'notice' }, 'No characters yet. Create one to start chatting, or chat with a plain assistant.'));
  }
}

/**
 * Sanitised HTML for each text, or nulls (the texts are then shown as plain
 * text) when rendering failed.
 * @param {string[]} texts
 * @returns {Promise<(string | null)[]>}
 */
async function markdown(texts) {
  // Very long messages stay plain (chunked) text: laying out one huge
  // rendered paragraph would freeze the window for seconds.
  const wanted = texts.map((t, i) => (t.length <= PLAIN_LIMIT ? i : -1)).filter((i) => i >= 0);
  /** @type {(string | null)[]} */
  const out = texts.map(() => null);
  if (wanted.length === 0) return out;
  try {
    const html = await api.renderMarkdown(wanted.map((i) => texts[i]));
    wanted.forEach((i, k) => {
      out[i] = html[k] ?? null;
    });
  } catch (e) {
    console.warn('markdown_render failed; showing plain text', e);
  }
  return out;
}

/**
 * Links in messages never navigate the window: the address is shown and copied.
 * @param {string} url
 */
async function linkOutside(url) {
  let copied = false;
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(url);
      copied = true;
    }
  } catch {
    copied = false;
  }
  toast(`Links open outside Parley: ${url}${copied ? ' \u2014 copied' : ''}`);
}

const numbers = new Intl.NumberFormat();

/** @type {Record<string, string>} */
const ROLE_LABELS = { system: 'System', user: 'User', assistant: 'Assistant' };

/**
 * @typedef {"delta" | "completed" | "cancelled" | "failed"} EventKind
 * @typedef {"completed" | "cancelled" | "failed"} EndKind
 */

/**
 * @param {HTMLElement} root
 * @param {string[]} params `[chatId]`, or `[chatId, messageId]` to open the chat at that message
 */
export async function render(root, params) {
  const [chatId, targetId = null] = params;
  let chat = await api.chats.get(chatId);
  const [character, persona] = await Promise.all([
    chat.characterId ? api.characters.get(chat.characterId).catch(() => null) : null,
    chat.userProfileId ? api.personas.get(chat.userProfileId).catch(() => null) : null,
  ]);
  /** @type {Record<api.Role, string>} */
  const authors = { assistant: character?.name ?? 'Assistant', user: persona?.name ?? 'You', system: 'System' };
  // Greetings are stored with their macros; they show with the names.
  const names = { char: character?.name ?? 'Assistant', user: persona?.name ?? DEFAULT_USER_NAME };
  /** @param {string} text */
  const expand = (text) => expandMacros(text, names);
  /** Markdown for texts as shown: the names put in first. @param {string[]} texts */
  const renderTexts = (texts) => markdown(texts.map(expand));

  const list = h('div', { id: 'messages', class: 'messages', role: 'log', 'aria-label': 'Messages' });
  const earlier = h('button', { type: 'button', id: 'load-earlier', class: 'btn subtle small', hidden: true }, 'Load earlier messages');
  const later = h('button', { type: 'button', id: 'load-later', class: 'btn subtle small', hidden: true }, 'Load later messages');
  const jump = h('button', { type: 'button', id: 'jump-latest', class: 'btn jump-latest', hidden: true, title: 'Go to the newest messages' }, 'Jump to latest \u2193');
  const empty = h('p', { class: 'empty chat-empty', hidden: true }, 'No messages yet. Say hello below.');
  const scroller = h('div', { class: 'chat-scroll' }, h('div', { class: 'chat-column' }, earlier, list, empty, later, jump));
  /** The chat has messages before the first one shown / after the last one shown. */
  let hasBefore = false;
  let hasAfter = false;
  /** A page is being loaded (one at a time). */
  let loading = false;
  /** Bumped when the whole window is replaced: pages still on their way are then dropped. */
  let epoch = 0;

  /** @type {WeakMap<Element, MessageView>} */
  const views = new WeakMap();
  /** @type {MessageView | null} the last message, which can be regenerated and continued */
  let lastView = null;
  /**
   * The reply being written. `view` is null while its message is not shown
   * (the chat opened further up): its text is not followed then, and the
   * view joins it when a page brings the message in.
   * @type {{generationId: string, messageId: string, view: MessageView | null} | null}
   */
  let gen = null;
  /** @type {Map<string, {kind: EndKind, ev: api.EndEvent}>} how a reply that was not shown ended, by message id */
  const ended = new Map();
  /** A start (send, regenerate, continue) or the first load waits for its answer. */
  let starting = false;
  let stopping = false;
  /** @type {[EventKind, any][]} events that came before the answer that says whose they are */
  let early = [];
  /** Keep the newest text in view: true while the person is at the bottom. */
  let stick = true;
  let scrollQueued = false;

  /** @type {import('./message.js').MessageContext} */
  const ctx = {
    authors,
    busy: () => gen !== null || starting,
    isFirst: (v) => !hasBefore && list.firstElementChild === v.el,
    render: renderTexts,
    expand,
    regenerate: (v) => void start(() => api.replies.regenerate(v.m.id), v, false),
    continueReply: (v) => void start(() => api.replies.continueReply(v.m.id), v, true),
    removed: () => {
      refreshLast();
      changed('chats');
    },
    edited: () => changed('chats'),
  };

  /** @param {api.Message} m @param {string | null} html */
  function addView(m, html) {
    const view = new MessageView(m, html, ctx);
    views.set(view.el, view);
    return view;
  }

  /**
   * The view for a message of a loaded page: the one a reply is being
   * written into if it is that message, else a new one, which joins the
   * running reply, or shows how a reply that ended out of sight ended.
   * @param {api.Message} m @param {string | null} html
   */
  function place(m, html) {
    if (gen?.view && gen.view.m.id === m.id) return gen.view;
    const view = addView(m, html);
    if (gen && !gen.view && gen.messageId === m.id) {
      view.begin(view.m, true);
      gen.view = view;
    } else if (view.live) {
      const end = ended.get(m.id);
      if (end) {
        ended.delete(m.id);
        void view.end(end.kind, end.ev).then(() => refreshLast());
      }
    }
    return view;
  }

  /** Marks the last message (regenerate, continue, retry live there) and the empty state. */
  function refreshLast() {
    const first = list.firstElementChild;
    if (first) views.get(first)?.controls();
    // With later messages not shown, none of those shown is the chat's last.
    const el = hasAfter ? null : list.lastElementChild;
    const view = (el && views.get(el)) ?? null;
    if (view !== lastView) {
      lastView?.setLast(false);
      lastView = view;
    }
    view?.setLast(true);
    empty.hidden = list.childElementCount > 0 || hasBefore || hasAfter;
    syncEdges();
  }

  const atBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
  /** At the bottom of the chat itself, not only of what is shown. */
  const atEnd = () => !hasAfter && atBottom();
  const scrollToBottom = () => {
    scroller.scrollTop = scroller.scrollHeight;
  };
  /** At most one scroll per frame while text streams in, and only when at the bottom. */
  function follow() {
    if (scrollQueued) return;
    scrollQueued = true;
    requestAnimationFrame(() => {
      scrollQueued = false;
      if (stick) scrollToBottom();
    });
  }

  /** "Jump to latest": while later messages are not shown, or the person is well above the end. */
  function syncJump() {
    const below = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
    const hide = !(hasAfter || below > scroller.clientHeight * 1.5);
    // Runs on every scroll, streaming included: touch the DOM only on a change.
    if (jump.hidden !== hide) jump.hidden = hide;
  }

  /** The load buttons and "Jump to latest", from what is shown. */
  function syncEdges() {
    earlier.hidden = !hasBefore;
    later.hidden = !hasAfter;
    earlier.disabled = loading;
    later.disabled = loading;
    syncJump();
  }

  /** The first message at least partly in view (the anchor that stays put). */
  function firstVisible() {
    const top = scroller.getBoundingClientRect().top;
    for (const el of list.children) if (el.getBoundingClientRect().bottom > top) return el;
    return list.lastElementChild;
  }

  /**
   * Changes what is shown without moving what is on screen: the first
   * message in view stays where it was, whatever is added or dropped above
   * or below it.
   * @param {(anchor: Element | null) => void} change
   */
  function keepInPlace(change) {
    const anchor = firstVisible();
    const before = anchor ? anchor.getBoundingClientRect().top : 0;
    change(anchor);
    if (anchor?.isConnected) scroller.scrollTop += anchor.getBoundingClientRect().top - before;
  }

  /**
   * Drops shown messages from one end until at most MAX_RENDERED remain.
   * Never a pinned one (streaming, being edited) or `keep`, nor anything
   * past them: what is shown stays one unbroken run of the chat.
   * @param {"top" | "bottom"} end
   * @param {Element | null} keep
   */
  function trim(end, keep) {
    let dropped = false;
    while (list.childElementCount > MAX_RENDERED) {
      const el = end === 'top' ? list.firstElementChild : list.lastElementChild;
      if (!el || el === keep || views.get(el)?.pinned) break;
      el.remove();
      dropped = true;
    }
    if (dropped && end === 'top') hasBefore = true;
    if (dropped && end === 'bottom') hasAfter = true;
  }

  /**
   * Whether a page may be added: the other end can make room, or the
   * window is still under its pinned bound.
   * @param {"top" | "bottom"} far the end that would be trimmed
   */
  function canGrow(far) {
    const el = far === 'top' ? list.firstElementChild : list.lastElementChild;
    return list.childElementCount < MAX_PINNED || !(el && views.get(el)?.pinned);
  }

  /** Back under the bound once nothing pins an end: drops from the end further from the screen. */
  function settle() {
    if (list.childElementCount <= MAX_RENDERED) return;
    keepInPlace((anchor) => {
      const index = anchor ? Array.prototype.indexOf.call(list.children, anchor) : 0;
      trim(index < list.childElementCount / 2 ? 'bottom' : 'top', anchor);
    });
    refreshLast();
  }

  /** The page before the first message shown; the newest drop off the bottom past the bound. */
  async function loadEarlier() {
    if (!hasBefore || loading || !canGrow('bottom')) return;
    const first = /** @type {HTMLElement | null} */ (list.firstElementChild);
    if (!first) {
      await showLatest();
      return;
    }
    const mine = epoch;
    loading = true;
    syncEdges();
    try {
      const page = await api.messages.page(chatId, first.dataset.id, PAGE);
      const html = await renderTexts(page.items.map((m) => m.content));
      // A newer window, or the first message gone meanwhile: the next scroll asks again.
      if (mine !== epoch || list.firstElementChild !== first) return;
      keepInPlace((anchor) => {
        list.prepend(...page.items.map((m, i) => place(m, html[i] ?? null).el));
        trim('bottom', anchor);
      });
      hasBefore = page.nextCursor !== null;
      refreshLast();
    } catch (e) {
      if (mine === epoch) showError(e);
    } finally {
      if (mine === epoch) {
        loading = false;
        syncEdges();
      }
    }
  }

  /** The page after the last message shown; the oldest drop off the top past the bound. */
  async function loadLater() {
    if (!hasAfter || loading || !canGrow('top')) return;
    const last = /** @type {HTMLElement | null} */ (list.lastElementChild);
    if (!last) {
      await showLatest();
      return;
    }
    const mine = epoch;
    loading = true;
    syncEdges();
    try {
      const page = await api.messageWindow.after(chatId, last.dataset.id ?? '', PAGE);
      const html = await renderTexts(page.items.map((m) => m.content));
      if (mine !== epoch || list.lastElementChild !== last) return;
      keepInPlace((anchor) => {
        list.append(...page.items.map((m, i) => place(m, html[i] ?? null).el));
        trim('top', anchor);
      });
      hasAfter = page.nextCursor !== null;
      refreshLast();
    } catch (e) {
      if (mine === epoch) showError(e);
    } finally {
      if (mine === epoch) {
        loading = false;
        syncEdges();
      }
    }
  }

  /**
   * Shows the chat's last page in place of whatever is shown ("Jump to
   * latest", and a send from further up). Resolves to false when it failed.
   */
  async function showLatest() {
    const mine = ++epoch;
    loading = true;
    syncEdges();
    try {
      const page = await api.messages.page(chatId, null, PAGE);
      const html = await renderTexts(page.items.map((m) => m.content));
      if (mine !== epoch) return false;
      list.replaceChildren(...page.items.map((m, i) => place(m, html[i] ?? null).el));
      hasBefore = page.nextCursor !== null;
      hasAfter = false;
      stick = true;
      refreshLast();
      scrollToBottom();
      return true;
    } catch (e) {
      if (mine === epoch) showError(e);
      return false;
    } finally {
      if (mine === epoch) {
        loading = false;
        syncEdges();
      }
    }
  }

  /**
   * What the chat opens with: the messages around `id`, or the last page
   * (also when that message is gone).
   * @param {string | null} id
   * @returns {Promise<api.Window>}
   */
  async function firstWindow(id) {
    if (id) {
      try {
        return await api.messageWindow.around(chatId, id, AROUND);
      } catch (e) {
        const err = /** @type {api.AppError} */ (e);
        if (err?.type === 'NotFoundError') showBanner('That message is no longer in this chat; here are the latest messages.');
        else showError(e);
      }
    }
    const page = await api.messages.page(chatId, null, PAGE);
    return { items: page.items, hasBefore: page.nextCursor !== null, hasAfter: false };
  }

  earlier.addEventListener('click', () => void loadEarlier());
  later.addEventListener('click', () => void loadLater());
  jump.addEventListener('click', () => {
    if (hasAfter) {
      void showLatest();
    } else {
      stick = true;
      scrollToBottom();
    }
  });
  // Only the person scrolling up unsticks the view: text that grew between
  // our own scroll and its event must not count as "scrolled away".
  let lastTop = 0;
  scroller.addEventListener(
    'scroll',
    () => {
      const top = scroller.scrollTop;
      if (top < lastTop - 1) stick = atEnd();
      else if (atEnd()) stick = true;
      lastTop = top;
      if (top < EDGE && hasBefore) void loadEarlier();
      else if (hasAfter && scroller.scrollHeight - top - scroller.clientHeight < EDGE) void loadLater();
      syncJump();
    },
    { passive: true },
  );

  // Links inside messages never navigate the app window.
  /** @param {MouseEvent} ev */
  const onLinkClick = (ev) => {
    const a = ev.target instanceof Element ? ev.target.closest('.message-body a') : null;
    if (!a) return;
    ev.preventDefault();
    if (ev.type === 'click') void linkOutside(a.getAttribute('href') ?? '');
  };
  list.addEventListener('click', onLinkClick);
  list.addEventListener('auxclick', onLinkClick);

  // Composer: Enter sends, Shift+Enter is a new line; while a reply is
  // written the Send button is a Stop button, and Esc stops too.
  const composer = h('textarea', { id: 'composer', rows: 1, placeholder: `Message ${character?.name ?? 'the assistant'}\u2026`, 'aria-label': 'Your message' });
  const send = h('button', { type: 'submit', id: 'send', class: 'btn primary', disabled: true }, 'Send');
  const hint = h('p', { class: 'composer-hint' });
  const composerForm = h('form', { class: 'composer', 'aria-label': 'Write a message' }, h('div', { class: 'composer-box' }, composer, send), hint);

  /** The Send / Stop button, the hint, and the last message's buttons, from the state. */
  function syncBusy() {
    if (gen) {
      send.id = 'stop';
      send.type = 'button';
      send.className = 'btn stop';
      send.textContent = stopping ? 'Stopping\u2026' : 'Stop';
      send.title = 'Stop the reply (Esc)';
      send.disabled = stopping;
      hint.textContent = 'Writing a reply \u00b7 Esc or Stop to end it';
    } else {
      send.id = 'send';
      send.type = 'submit';
      send.className = 'btn primary';
      send.textContent = 'Send';
      send.removeAttribute('title');
      send.disabled = starting || composer.value.trim() === '';
      hint.textContent = 'Enter to send \u00b7 Shift+Enter for a new line';
    }
    list.setAttribute('aria-busy', String(gen !== null));
    lastView?.controls();
  }
  const autosize = () => {
    composer.style.height = 'auto';
    composer.style.height = `${Math.min(composer.scrollHeight, 240)}px`;
    if (!gen) send.disabled = starting || composer.value.trim() === '';
  };
  composer.addEventListener('input', autosize);
  composer.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing && !ev.ctrlKey && !ev.altKey && !ev.metaKey) {
      ev.preventDefault();
      void sendMessage();
    }
  });
  composerForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void sendMessage();
  });
  send.addEventListener('click', (ev) => {
    if (!gen) return; // Send: the form's submit handles it
    ev.preventDefault();
    void stop();
  });
  /** @param {KeyboardEvent} ev */
  const onKey = (ev) => {
    if (ev.key !== 'Escape' || ev.defaultPrevented || !gen) return;
    // Esc that closed a dialog or an editor is not for us.
    const t = ev.target;
    if (t instanceof Element && (!t.isConnected || t.closest('.modal-backdrop, .message-editor'))) return;
    if (document.querySelector('.modal-backdrop')) return;
    ev.preventDefault();
    void stop();
  };
  document.addEventListener('keydown', onKey);

  let sending = false;
  async function sendMessage() {
    const text = composer.value.trim();
    if (!text || gen || starting || sending) return;
    sending = true;
    composer.readOnly = true;
    try {
      // The reply shows at the end of the chat: go there first from further up.
      if (hasAfter && !(await showLatest())) return;
      await start(() => api.replies.send(chatId, text), null, false, () => {
        composer.value = '';
      });
    } finally {
      sending = false;
      composer.readOnly = false;
      autosize();
      composer.focus();
    }
  }

  /**
   * Starts a reply and shows it: for send, the person's message and the
   * pending reply are added; for regenerate and continue, `target` is the
   * message written into.
   * @param {() => Promise<api.Started>} call
   * @param {MessageView | null} target
   * @param {boolean} keep append to the shown text (continue)
   * @param {() => void} [onStarted]
   */
  async function start(call, target, keep, onStarted) {
    if (gen || starting) return;
    clearBanner();
    starting = true;
    early = [];
    syncBusy();
    try {
      const started = await call();
      onStarted?.();
      let view = target;
      if (!view || view.m.id !== started.message.id) {
        const user = started.userMessage;
        const [userHtml] = user ? await renderTexts([user.content]) : [null];
        if (user) list.append(addView(user, userHtml ?? null).el);
        view = addView(started.message, '');
        list.append(view.el);
        stick = true;
        trim('top', null);
      }
      view.begin(started.message, keep);
      gen = { generationId: started.generationId, messageId: started.message.id, view };
      starting = false;
      refreshLast();
      syncBusy();
      if (stick) scrollToBottom();
      const queued = early;
      early = [];
      for (const [kind, ev] of queued) dispatch(kind, ev);
      // The first delta comes once this and the chat list are drawn.
      void changed('chats').then(() => answerAfterFrame(started.generationId, 0));
    } catch (e) {
      showChatError(e);
    } finally {
      starting = false;
      early = [];
      syncBusy();
    }
  }

  async function stop() {
    if (!gen || stopping) return;
    const id = gen.generationId;
    stopping = true;
    syncBusy();
    try {
      // false: it had already ended, and its end event says how.
      await api.replies.stop(id);
    } catch (e) {
      showError(e);
      if (gen?.generationId === id) {
        stopping = false;
        syncBusy();
      }
    }
  }

  /**
   * One reply event. Events of other chats' replies are ignored; those that
   * beat the answer of the start they belong to wait in `early`.
   * @param {EventKind} kind
   * @param {any} ev
   */
  function dispatch(kind, ev) {
    if (!gen || ev.generationId !== gen.generationId) {
      // Answered here, or when the start it belongs to replays it.
      if (starting) early.push([kind, ev]);
      else if (kind === 'delta') answerAfterFrame(ev.generationId, ev.seq);
      return;
    }
    if (kind === 'delta') {
      // Parley sends the next delta once the frame that draws this one is drawn.
      answerAfterFrame(ev.generationId, ev.seq);
      if (!gen.view) return; // not shown: the stored text comes with its page
      gen.view.append(/** @type {api.DeltaEvent} */ (ev).text);
      if (stick) follow();
      return;
    }
    const { view, messageId } = gen;
    gen = null;
    stopping = false;
    syncBusy();
    if (view) {
      void view.end(kind, ev).then(() => {
        refreshLast();
        settle(); // the reply no longer holds the bottom in place
        if (stick) follow();
      });
    } else {
      // A page read before this end may still bring the message as streaming.
      ended.clear();
      ended.set(messageId, { kind, ev });
    }
    changed('chats');
  }

  // Header, "Show prompt" and the chat's own settings.
  const settingsPanel = h('div', { class: 'chat-settings', hidden: true });
  const settingsBtn = h('button', { type: 'button', class: 'btn', 'aria-expanded': 'false', 'aria-controls': 'chat-settings-form', onclick: () => (settingsPanel.hidden ? void openSettings() : closeSettings()) }, 'Chat settings');
  const promptBtn = h('button', { type: 'button', class: 'btn subtle', id: 'show-prompt', title: 'What the model is sent for the next reply', onclick: () => void showPrompt() }, 'Show prompt');
  const deleteBtn = h('button', {
    type: 'button',
    class: 'btn danger-subtle',
    onclick: async () => {
      const ok = await confirmDialog({ title: `Move \u201c${chat.title || 'this chat'}\u201d to the trash?`, message: 'You can restore it from Trash.', confirmLabel: 'Move to trash', danger: true });
      if (!ok) return;
      try {
        await api.chats.remove(chat.id);
        changed('chats');
        toast('Chat moved to trash');
        navigate('');
      } catch (e) {
        showError(e);
      }
    },
  }, 'Delete');
  const exportBtn = h('button', {
    type: 'button',
    class: 'btn subtle',
    id: 'export-chat',
    title: 'Save this chat as a SillyTavern .jsonl file in your Downloads folder',
    onclick: async () => {
      try {
        const { path } = await api.transfer.exportChat(chat.id);
        toast(`Saved to ${path}`, 8000);
      } catch (e) {
        showError(e);
      }
    },
  }, 'Export');
  const header = viewHeader(chat.title || 'Untitled chat', null, promptBtn, exportBtn, settingsBtn, deleteBtn);
  const titleEl = /** @type {HTMLElement} */ (header.querySelector('h1'));
  const sub = h('p', { class: 'subtitle' }, character ? h('a', { href: `#/character/${character.id}` }, character.name) : 'No character', persona ? ` \u00b7 as ${persona.name}` : null);
  header.querySelector('.view-titles')?.append(sub);

  /**
   * A failed start; "choose a model" comes with a button to the chat settings.
   * @param {unknown} e
   */
  function showChatError(e) {
    const err = /** @type {api.AppError} */ (e);
    if (err?.details?.field === 'ai_model_id') {
      showError(e, null, {
        label: 'Open chat settings',
        run: () => void openSettings().then((form) => showFieldError(form, 'ai_model_id', err.error)),
      });
    } else {
      showError(e);
    }
  }

  function closeSettings() {
    settingsPanel.hidden = true;
    settingsBtn.setAttribute('aria-expanded', 'false');
  }

  /** Opens the chat settings (afresh) and resolves to their form. */
  async function openSettings() {
    const choices = await loadChoices();
    const form = h('form', { id: 'chat-settings-form', class: 'editor card', novalidate: true, 'aria-label': 'Chat settings' });
    form.append(
      h('div', { class: 'grid' }, ...chatFields(choices, chat, false)),
      h('div', { class: 'form-footer' }, h('span', { class: 'spacer' }), h('button', { type: 'button', class: 'btn', onclick: () => closeSettings() }, 'Close'), h('button', { type: 'submit', class: 'btn primary' }, 'Save')),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void submitting(form, async () => {
        const updated = await api.chats.update(chat.id, {
          title: val(form, 'title').trim(),
          characterId: chat.characterId,
          userProfileId: optId(form, 'userProfileId'),
          aiModelId: optId(form, 'aiModelId'),
          systemPromptId: optId(form, 'systemPromptId'),
        });
        changed('chats');
        toast('Chat saved');
        if (updated.userProfileId !== chat.userProfileId) {
          navigate(`chat/${chat.id}`); // author names change: render afresh
          return;
        }
        chat = updated;
        titleEl.textContent = chat.title || 'Untitled chat';
        closeSettings();
      });
    });
    settingsPanel.replaceChildren(form);
    settingsPanel.hidden = false;
    settingsBtn.setAttribute('aria-expanded', 'true');
    /** @type {HTMLElement | null} */ (form.querySelector('input'))?.focus();
    return form;
  }

  /** "Show prompt": exactly what the next reply would be sent, and its size. */
  async function showPrompt() {
    clearBanner();
    promptBtn.disabled = true;
    try {
      const p = await api.replies.promptPreview(chatId);
      const over = p.estimatedTokens > p.budgetTokens;
      const facts = [
        `${numbers.format(p.historyIncluded)} of ${numbers.format(p.historyIncluded + p.historyDropped)} chat messages included`,
        p.historyDropped ? `${numbers.format(p.historyDropped)} oldest left out to fit` : 'none left out',
        `${numbers.format(p.examplesIncluded)} example ${p.examplesIncluded === 1 ? 'dialogue' : 'dialogues'}`,
      ];
      const body = [
        h(
          'div',
          { class: over ? 'prompt-summary over' : 'prompt-summary' },
          h('p', { class: 'prompt-tokens' }, `About ${numbers.format(p.estimatedTokens)} of ${numbers.format(p.budgetTokens)} tokens`),
          h('meter', { class: 'prompt-meter', min: 0, max: Math.max(p.budgetTokens, 1), value: p.estimatedTokens, high: Math.max(p.budgetTokens, 1) * 0.9, 'aria-label': 'Tokens used of the budget' }),
          h('p', { class: 'muted' }, facts.join(' \u00b7 ')),
        ),
        h(
          'ol',
          { class: 'prompt-list' },
          ...p.messages.map((pm) =>
            h('li', { class: `prompt-message prompt-${pm.role}` }, h('span', { class: 'prompt-role' }, ROLE_LABELS[pm.role] ?? pm.role), h('div', { class: 'prompt-text' }, pm.content)),
          ),
        ),
      ];
      openDialog({ title: 'Prompt for the next reply', id: 'prompt-dialog', className: 'wide', body });
    } catch (e) {
      showChatError(e);
    } finally {
      promptBtn.disabled = false;
    }
  }

  syncBusy();
  root.append(header, settingsPanel, scroller, composerForm);

  const unsubscribe = await api.onChatEvents({
    delta: (ev) => dispatch('delta', ev),
    done: (ev) => dispatch('completed', ev),
    cancelled: (ev) => dispatch('cancelled', ev),
    error: (ev) => dispatch('failed', ev),
  });
  onLeave(root, () => {
    unsubscribe();
    document.removeEventListener('keydown', onKey);
  });

  // The last page (or the messages around the one the route names), and a
  // reply already being written when the chat opened: `place` joins it when
  // its message is shown, else it is joined when scrolling reaches it.
  starting = true;
  /** @type {HTMLElement | null} */
  let target = null;
  try {
    const [running, shown] = await Promise.all([api.replies.running(chatId).catch(() => null), firstWindow(targetId)]);
    if (running) gen = { generationId: running.generationId, messageId: running.messageId, view: null };
    const html = await renderTexts(shown.items.map((m) => m.content));
    list.append(...shown.items.map((m, i) => place(m, html[i] ?? null).el));
    hasBefore = shown.hasBefore;
    hasAfter = shown.hasAfter;
    target = targetId ? list.querySelector(`.message[data-id="${CSS.escape(targetId)}"]`) : null;
  } finally {
    starting = false;
  }
  // Text that came while loading may already be in the stored text; only
  // an end that came meanwhile still matters.
  const queued = early;
  early = [];
  for (const [kind, ev] of queued) {
    if (kind !== 'delta') dispatch(kind, ev);
    else answerAfterFrame(ev.generationId, ev.seq);
  }
  refreshLast();
  syncBusy();
  if (target) {
    // The message a search hit leads to: in the middle, highlighted a moment.
    target.classList.add('is-target');
    target.scrollIntoView({ block: 'center' });
    lastTop = scroller.scrollTop;
    stick = atEnd();
    syncJump();
  } else if (!hasAfter) {
    scrollToBottom();
  }
  composer.focus();
}
