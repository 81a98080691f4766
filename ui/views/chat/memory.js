// @ts-check
// The memory panel of a chat: its memory entries (summaries of ranges of
// its messages, newest range first), each with its range, who wrote it,
// pinned and stale marks, and Edit / Pin / Re-summarize / Delete; a form
// to add one; what the summarizer is doing (asked every 1.5 s while the
// panel is open), with a failure's reason; and the summary settings (the
// model and the instruction). Entry text is model or person text: it goes
// in as text, never as HTML.

import * as api from '../../api.js';
import { memory } from '../../api/memory.js';
import { h, clear, field, input, textarea, select, val } from '../../dom.js';
import { openDialog, confirmDialog, showFieldError, clearFieldErrors, sentence, toast } from '../../components.js';
import { t } from '../../i18n.js';

/** @typedef {import('../../api/memory.js').ChatMemory} ChatMemory */
/** @typedef {import('../../api/memory.js').SummaryStatus} SummaryStatus */

/** How often the open panel asks what the summarizer is doing. */
const STATUS_EVERY_MS = 1500;

/** "messages 12–40", counted from 1 as a person counts. @param {number} first @param {number} last */
export function rangeLabel(first, last) {
  return first === last ? t('memory.rangeOne', { number: String(first + 1) }) : t('memory.range', { first: String(first + 1), last: String(last + 1) });
}

/** The panel's own error line: the page's banner is behind the dialog. */
const errorLine = h('p', { class: 'field-error memory-error', id: 'memory-error', role: 'alert', hidden: true });

/**
 * Shows a failed command's words next to the field it names, else in the panel.
 * @param {unknown} e
 * @param {HTMLFormElement} [form]
 */
function showError(e, form) {
  const err = /** @type {api.AppError} */ (api.toAppError(e));
  const f = err.details?.field;
  if (form && typeof f === 'string' && showFieldError(form, f, err.error)) return;
  errorLine.textContent = sentence(err.error);
  errorLine.hidden = false;
}

/**
 * Runs a form's command: its buttons off meanwhile, its error shown.
 * @param {HTMLFormElement} form
 * @param {() => Promise<void>} action
 */
async function submitting(form, action) {
  clearFieldErrors(form);
  errorLine.hidden = true;
  const buttons = /** @type {HTMLButtonElement[]} */ ([...form.querySelectorAll('button')]);
  for (const b of buttons) b.disabled = true;
  try {
    await action();
  } catch (e) {
    showError(e, form);
  } finally {
    for (const b of buttons) b.disabled = false;
  }
}

/** The summarizer's state in words. @param {SummaryStatus} s */
function statusWords(s) {
  switch (s.state) {
    case 'idle':
      return t('memory.statusIdle');
    case 'queued':
      return t('memory.statusQueued');
    case 'running':
      return t('memory.statusRunning', { range: rangeLabel(s.firstSeq, s.lastSeq) });
    case 'waitingForReply':
      return t('memory.statusWaiting', { range: rangeLabel(s.firstSeq, s.lastSeq) });
    case 'failed': {
      const next = s.retryInSecs === null ? t('memory.retryLater') : t('memory.retryIn', { seconds: Math.max(1, s.retryInSecs) });
      return t('memory.statusFailed', { tries: s.tries, error: s.error, next });
    }
  }
}

/**
 * Opens the memory panel of a chat.
 * @param {string} chatId
 */
export async function openMemory(chatId) {
  const [entries, status] = await Promise.all([memory.list(chatId), memory.status(chatId)]);
  errorLine.hidden = true;
  const statusEl = h('p', { class: 'memory-status', id: 'memory-status', role: 'status' });
  const list = h('ol', { class: 'memory-list', id: 'memory-list' });
  const now = h('button', { type: 'button', class: 'btn subtle', id: 'memory-summarize-now', title: t('memory.summarizeNowTitle') }, t('memory.summarizeNow'));

  /** @param {SummaryStatus} s */
  const showStatus = (s) => {
    statusEl.textContent = statusWords(s);
    statusEl.dataset.state = s.state;
  };
  /** @param {ChatMemory[]} items */
  const showEntries = (items) => {
    clear(list);
    if (!items.length) {
      list.append(h('li', { class: 'memory-empty muted' }, t('memory.empty')));
    }
    for (const m of items) list.append(entryItem(m));
  };
  const reload = async () => showEntries(await memory.list(chatId));

  now.addEventListener('click', async () => {
    try {
      showStatus(await memory.resummarize(chatId, null));
    } catch (e) {
      showError(e);
    }
  });

  /**
   * One entry with its actions.
   * @param {ChatMemory} m
   */
  function entryItem(m) {
    const text = h('p', { class: 'memory-text' }, m.content);
    const marks = [
      h('span', { class: 'memory-range' }, rangeLabel(m.firstSeq, m.lastSeq)),
      h('span', { class: 'memory-by muted' }, m.madeBy === 'model' ? t('memory.byModel') : t('memory.byYou')),
      m.pinned ? h('span', { class: 'memory-badge pinned' }, t('memory.pinned')) : null,
      m.stale ? h('span', { class: 'memory-badge stale', title: t('memory.staleTitle') }, t('memory.stale')) : null,
    ];
    const edit = h('button', { type: 'button', class: 'btn subtle memory-edit' }, t('common.edit'));
    const pin = h('button', { type: 'button', class: 'btn subtle memory-pin', 'aria-pressed': String(m.pinned) }, m.pinned ? t('memory.unpin') : t('memory.pin'));
    const again = h('button', { type: 'button', class: 'btn subtle memory-resummarize', title: t('memory.resummarizeTitle') }, t('memory.resummarize'));
    const del = h('button', { type: 'button', class: 'btn danger-subtle memory-delete' }, t('common.delete'));
    const actions = h('div', { class: 'memory-actions' }, edit, pin, again, del);
    const why = m.stale ? h('p', { class: 'memory-why muted' }, t('memory.staleWhy')) : null;
    const li = h('li', { class: m.stale ? 'memory-entry stale' : 'memory-entry', data: { id: m.id } }, h('div', { class: 'memory-head' }, ...marks), text, why, actions);

    edit.addEventListener('click', () => {
      const box = textarea('content', m.content, { rows: 6, class: 'memory-editor', 'aria-label': t('memory.entryTextLabel', { range: rangeLabel(m.firstSeq, m.lastSeq) }) });
      const form = h('form', { class: 'memory-edit-form' }, field(t('memory.entry'), box, { wide: true }), h('div', { class: 'memory-actions' }, h('button', { type: 'submit', class: 'btn primary memory-save' }, t('common.save')), h('button', { type: 'button', class: 'btn', onclick: () => li.replaceWith(entryItem(m)) }, t('common.cancel'))));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        void submitting(form, async () => {
          const saved = await memory.update(m.id, val(form, 'content'));
          li.replaceWith(entryItem(saved));
          toast(t('memory.entrySaved'));
        });
      });
      text.replaceWith(form);
      actions.hidden = true;
      box.focus();
    });
    pin.addEventListener('click', async () => {
      try {
        li.replaceWith(entryItem(await memory.pin(m.id, !m.pinned)));
      } catch (e) {
        showError(e);
      }
    });
    again.addEventListener('click', async () => {
      try {
        showStatus(await memory.resummarize(chatId, m.id));
      } catch (e) {
        showError(e);
      }
    });
    del.addEventListener('click', async () => {
      const ok = await confirmDialog({ title: t('memory.deleteTitle', { range: rangeLabel(m.firstSeq, m.lastSeq) }), message: t('memory.deleteMessage'), confirmLabel: t('common.delete'), danger: true });
      if (!ok) return;
      try {
        await memory.remove(m.id);
        li.remove();
      } catch (e) {
        showError(e);
      }
    });
    return li;
  }

  const addForm = addEntryForm(chatId, () => void reload());
  const settings = await settingsSection();
  showEntries(entries);
  showStatus(status);

  openDialog({
    title: t('memory.title'),
    id: 'memory-dialog',
    className: 'wide',
    body: [list, addForm, settings],
    // Beside Close, out of the scrolled part: always in sight.
    actions: [h('div', { class: 'memory-top' }, statusEl, errorLine), now],
  });

  // While open: what the summarizer does, and its new entries when it is done.
  let last = status.state;
  const timer = setInterval(async () => {
    if (!statusEl.isConnected) return clearInterval(timer);
    try {
      const s = await memory.status(chatId);
      showStatus(s);
      // A summary just finished (or failed): its entries may have changed,
      // unless the person is editing one.
      if (s.state !== last && (s.state === 'idle' || s.state === 'failed') && !list.querySelector('form')) await reload();
      last = s.state;
    } catch (e) {
      clearInterval(timer);
      showError(e);
    }
  }, STATUS_EVERY_MS);
}

/**
 * "Add an entry": a range of messages (counted from 1) and its text.
 * @param {string} chatId
 * @param {() => void} added
 */
function addEntryForm(chatId, added) {
  const form = h(
    'form',
    { class: 'memory-add', id: 'memory-add' },
    h('div', { class: 'memory-add-range' }, field(t('memory.fromMessage'), input('firstSeq', '', { type: 'number', min: 1, inputmode: 'numeric' })), field(t('memory.toMessage'), input('lastSeq', '', { type: 'number', min: 1, inputmode: 'numeric' }))),
    field(t('memory.whatToRemember'), textarea('content', '', { rows: 3 }), { wide: true }),
    h('div', { class: 'memory-actions' }, h('button', { type: 'submit', class: 'btn' }, t('memory.addEntry'))),
  );
  const details = h('details', { class: 'memory-section' }, h('summary', null, t('memory.addAnEntry')), form);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void submitting(form, async () => {
      // Message numbers as shown; the range is in `seq` (from 0). An
      // empty box is refused by the back end in words.
      const first = Number(val(form, 'firstSeq') || 0) - 1;
      const last = Number(val(form, 'lastSeq') || 0) - 1;
      await memory.add(chatId, { firstSeq: first, lastSeq: last, content: val(form, 'content') });
      form.reset();
      toast(t('memory.entryAdded'));
      added();
    });
  });
  return details;
}

/** The summary model and instruction (preferences for every chat). */
async function settingsSection() {
  const [models, chosen, instruction] = await Promise.all([api.models.list({ limit: 200, sort: 'name' }).catch(() => ({ items: [] })), memory.summaryModel(), memory.instruction()]);
  const options = [{ value: '', label: t('memory.eachChatsModel') }, ...models.items.map((m) => ({ value: m.id, label: m.displayName || m.modelId }))];
  const form = h(
    'form',
    { class: 'memory-settings', id: 'memory-settings' },
    field(t('memory.summaryModel'), select('summaryModel', options, chosen ?? ''), { hint: t('memory.summaryModelHint') }),
    field(t('memory.summaryInstruction'), textarea('instruction', instruction, { rows: 4, placeholder: t('memory.summaryInstructionPlaceholder') }), { wide: true, hint: t('memory.summaryInstructionHint') }),
    h('div', { class: 'memory-actions' }, h('button', { type: 'submit', class: 'btn' }, t('memory.saveSettings'))),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void submitting(form, async () => {
      await memory.setSummaryModel(val(form, 'summaryModel') || null);
      await memory.setInstruction(val(form, 'instruction'));
      toast(t('memory.settingsSaved'));
    });
  });
  return h('details', { class: 'memory-section' }, h('summary', null, t('memory.settings')), form);
}
