// @ts-check
// Search: the messages of every chat, the characters and the tasks, through the back
// end's full-text index. It searches as the person types (debounced) and at
// once on Enter or a filter change; an answer that comes after a newer
// search started is dropped, so a slow query never replaces a fast one.
// Snippets arrive as plain text with each match between U+0002 and U+0003;
// they become text nodes and <mark> elements, never HTML.

import * as api from '../api.js';
import { h, field, when } from '../dom.js';
import { t, tn } from '../i18n.js';
import { viewHeader, sentence } from '../components.js';
import { navigate, onLeave } from '../state.js';

/** Wait this long after the last keystroke before searching. */
const DEBOUNCE_MS = 200;
/** Message hits asked for at first; "Show more" asks for this many more... */
const LIMIT = 50;
/** ...up to this many (the search has no cursor, so each step asks again). */
const MAX_LIMIT = 500;

const MARK_START = '\u0002';
const MARK_END = '\u0003';

/** The last search, so coming back from a hit shows it again. */
const last = { query: '', characterId: '', from: '', to: '' };

/**
 * A snippet's text with its matches as <mark> elements. A match left open
 * runs to the end; a stray end marker is dropped.
 * @param {string} snippet
 * @returns {(string | HTMLElement)[]}
 */
export function snippetParts(snippet) {
  /** @type {(string | HTMLElement)[]} */
  const parts = [];
  const [head, ...marked] = snippet.split(MARK_START);
  const plain = head.replaceAll(MARK_END, '');
  if (plain) parts.push(plain);
  for (const piece of marked) {
    const end = piece.indexOf(MARK_END);
    const hit = end < 0 ? piece : piece.slice(0, end);
    const tail = end < 0 ? '' : piece.slice(end + 1).replaceAll(MARK_END, '');
    if (hit) parts.push(h('mark', null, hit));
    if (tail) parts.push(tail);
  }
  return parts;
}

/**
 * A `type=date` value as an RFC 3339 time: the start of that day (or its
 * end) in local time. Null for an empty or unreadable value.
 * @param {string} day `YYYY-MM-DD`
 * @param {boolean} endOfDay
 */
function dayBound(day, endOfDay) {
  if (!day) return null;
  const at = new Date(`${day}T${endOfDay ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

/** @param {api.CharacterHit} c */
function characterHit(c) {
  return h(
    'li',
    { class: 'character-hit', data: { id: c.id } },
    h(
      'a',
      { href: `#/character/${encodeURIComponent(c.id)}`, class: 'hit-link' },
      h('span', { class: 'hit-head' }, h('span', { class: 'avatar', 'aria-hidden': 'true' }, (c.name.trim().charAt(0) || '?').toUpperCase()), h('span', { class: 'hit-title' }, c.name)),
      c.snippet ? h('span', { class: 'hit-snippet' }, ...snippetParts(c.snippet)) : null,
    ),
  );
}

/**
 * A task: opens the Tasks screen at it.
 * @param {import('../api/tasks.js').TaskHit} task
 */
function taskHit(task) {
  return h(
    'li',
    { class: 'task-hit', data: { id: task.id } },
    h(
      'a',
      { href: `#/tasks/${encodeURIComponent(task.id)}`, class: 'hit-link' },
      h(
        'span',
        { class: 'hit-head' },
        h('span', { class: 'hit-title' }, task.title),
        h('span', { class: 'hit-meta' }, task.chatSessionId ? task.chatTitle || t('common.untitledChat') : t('search.standingAlone')),
        task.done ? h('span', { class: 'badge' }, t('search.done')) : null,
      ),
      task.snippet ? h('span', { class: 'hit-snippet' }, ...snippetParts(task.snippet)) : null,
    ),
  );
}

/** A message's role in words. @param {api.Role} role */
function roleName(role) {
  return { user: t('search.roleUser'), assistant: t('search.roleAssistant'), system: t('search.roleSystem') }[role] ?? role;
}

/** @param {api.MessageHit} m */
function messageHit(m) {
  const route = `chat/${encodeURIComponent(m.chatId)}/${encodeURIComponent(m.messageId)}`;
  const li = h(
    'li',
    { class: 'search-hit', data: { messageId: m.messageId, chatId: m.chatId, role: m.role } },
    h(
      'a',
      { href: `#/${route}`, class: 'hit-link' },
      h(
        'span',
        { class: 'hit-head' },
        h('span', { class: 'hit-title' }, m.chatTitle || t('common.untitledChat')),
        h('span', { class: 'hit-meta' }, m.characterName ?? t('search.noCharacter')),
        h('span', { class: 'badge hit-role' }, roleName(m.role)),
        h('time', { class: 'hit-time', datetime: m.createdAt, title: when(m.createdAt) }, when(m.createdAt)),
      ),
      h('span', { class: 'hit-snippet' }, ...snippetParts(m.snippet)),
    ),
  );
  // The link fills the row; a click on the row's edge still opens the message.
  li.addEventListener('click', (ev) => {
    if (ev.target instanceof Element && ev.target.closest('a')) return;
    navigate(route);
  });
  return li;
}

/**
 * A titled group of hits.
 * @param {string} id @param {string} title @param {HTMLElement[]} items
 */
function group(id, title, items) {
  return h(
    'section',
    { class: 'search-group', 'aria-labelledby': id },
    h('h2', { id }, title),
    h('ul', { class: 'search-hits' }, ...items),
  );
}

/** @param {HTMLElement} root */
export async function render(root) {
  const queryInput = h('input', {
    type: 'search',
    id: 'search-input',
    name: 'query',
    value: last.query,
    placeholder: t('search.placeholder'),
    autocomplete: 'off',
    spellcheck: 'false',
    enterkeyhint: 'search',
  });
  const characterSelect = h('select', { id: 'search-character', name: 'characterId' }, h('option', { value: '' }, t('search.allCharacters')));
  const fromInput = h('input', { type: 'date', id: 'search-from', name: 'from', value: last.from });
  const toInput = h('input', { type: 'date', id: 'search-to', name: 'to', value: last.to });
  const error = h('p', { class: 'field-error search-error', id: 'search-error', role: 'alert', hidden: true });
  const results = h('div', { id: 'search-results', class: 'search-results', 'aria-live': 'polite' });

  const queryField = field(t('search.searchFor'), queryInput, {
    wide: true,
    hint: t('search.hint'),
  });
  queryInput.after(error);
  const form = h(
    'form',
    { class: 'search-form card', role: 'search', novalidate: true, 'aria-label': t('search.title') },
    queryField,
    h('div', { class: 'grid three search-filters' }, field(t('search.character'), characterSelect), field(t('search.from'), fromInput), field(t('search.to'), toInput)),
  );

  /** Bumped by every search; an answer for an older one is dropped. */
  let seq = 0;
  let limit = LIMIT;
  /** @type {number | undefined} */
  let timer;

  /** @param {string} message */
  function showProblem(message) {
    error.textContent = sentence(message);
    error.hidden = false;
    queryInput.setAttribute('aria-invalid', 'true');
    queryInput.setAttribute('aria-describedby', `${queryInput.id}-hint ${error.id}`);
    results.classList.add('is-stale');
  }

  function clearProblem() {
    error.textContent = '';
    error.hidden = true;
    queryInput.removeAttribute('aria-invalid');
    queryInput.setAttribute('aria-describedby', `${queryInput.id}-hint`);
    results.classList.remove('is-stale');
  }

  /**
   * @param {api.SearchResults} found
   * @param {string} query
   */
  function show(found, query) {
    const characters = found.characters ?? [];
    const messages = found.messages ?? [];
    const taskHits = found.tasks ?? [];
    /** @type {HTMLElement[]} */
    const parts = [];
    if (characters.length === 0 && messages.length === 0 && taskHits.length === 0) {
      parts.push(
        h(
          'div',
          { class: 'empty search-empty' },
          h('p', null, t('search.noMatches', { query })),
          h('p', { class: 'hint' }, t('search.noMatchesHint')),
        ),
      );
    } else {
      const full = messages.length >= limit;
      const counts = [
        characters.length ? tn('search.countCharacters', characters.length) : null,
        taskHits.length ? tn('search.countTasks', taskHits.length) : null,
        messages.length ? tn(full ? 'search.countFirstMessages' : 'search.countMessages', messages.length) : null,
      ].filter(Boolean);
      parts.push(h('p', { class: 'muted search-count' }, counts.join(' \u00b7 ')));
      if (characters.length) parts.push(group('search-characters-title', t('search.characters'), characters.map(characterHit)));
      if (taskHits.length) parts.push(group('search-tasks-title', t('search.tasks'), taskHits.map(taskHit)));
      if (messages.length) parts.push(group('search-messages-title', t('search.messages'), messages.map(messageHit)));
      if (full && limit < MAX_LIMIT) {
        parts.push(
          h('button', {
            type: 'button',
            id: 'search-more',
            class: 'btn subtle load-more',
            onclick: () => {
              limit = Math.min(limit + LIMIT, MAX_LIMIT);
              void run(true);
            },
          }, t('search.showMore')),
        );
      }
    }
    results.replaceChildren(...parts);
  }

  /** Searches now with what the form says. @param {boolean} [more] keep the raised limit ("Show more") */
  async function run(more = false) {
    window.clearTimeout(timer);
    if (!more) limit = LIMIT;
    const query = queryInput.value.trim();
    Object.assign(last, { query: queryInput.value, characterId: characterSelect.value, from: fromInput.value, to: toInput.value });
    const mine = ++seq;
    clearProblem();
    if (!query) {
      results.removeAttribute('aria-busy');
      results.replaceChildren(h('p', { class: 'muted search-idle' }, t('search.idle')));
      return;
    }
    const from = dayBound(fromInput.value, false);
    const to = dayBound(toInput.value, true);
    if (from && to && from > to) {
      showProblem(t('search.fromAfterTo'));
      return;
    }
    results.setAttribute('aria-busy', 'true');
    try {
      const found = await api.search({ query, characterId: characterSelect.value || null, from, to, limit });
      if (mine !== seq) return;
      show(found, query);
    } catch (e) {
      if (mine !== seq) return;
      // A malformed query is the usual cause: say so by the box, keep the last results.
      const err = /** @type {api.AppError} */ (e);
      showProblem(err?.error ?? t('search.failed'));
      if (!(e && typeof e === 'object' && 'error' in e)) console.warn(e);
    } finally {
      if (mine === seq) results.removeAttribute('aria-busy');
    }
  }

  queryInput.addEventListener('input', () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void run(), DEBOUNCE_MS);
  });
  queryInput.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.isComposing) {
      ev.preventDefault();
      void run();
    }
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  for (const control of [characterSelect, fromInput, toInput]) control.addEventListener('change', () => void run());

  onLeave(root, () => window.clearTimeout(timer));
  clearProblem();
  root.append(viewHeader(t('search.title'), t('search.subtitle')), form, results);
  queryInput.focus();
  queryInput.select();

  // The character filter; the search works without it when the list fails.
  try {
    const characters = await api.listAll(api.characters.list, { sort: 'name' });
    for (const c of characters) characterSelect.append(h('option', { value: c.id }, c.name));
  } catch (e) {
    console.warn('could not list the characters for the filter', e);
  }
  characterSelect.value = last.characterId;
  if (characterSelect.value !== last.characterId) characterSelect.value = '';
  await run();
}
