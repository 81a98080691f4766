// @ts-check
// The author's note fields, shared by a chat's settings and Settings (the
// note new chats start with): text, depth, frequency, role
// (docs/MACROS.md, "The author's note").

import * as api from '../api.js';
import { h, field, input, textarea, select, val, num } from '../dom.js';
import { t } from '../i18n.js';

/** The roles the note can be sent as, in the person's language. */
const roles = () => [
  { value: 'system', label: t('authorsNote.roleSystem') },
  { value: 'user', label: t('authorsNote.roleUser') },
  { value: 'assistant', label: t('authorsNote.roleAssistant') },
];

/**
 * The "Author's note" fieldset.
 * @param {api.AuthorsNote} note
 * @param {string} hint what the note is for here
 */
export function authorsNoteFieldset(note, hint) {
  const number = (/** @type {string} */ name, /** @type {number} */ value) =>
    input(name, value, { type: 'number', inputmode: 'numeric', step: '1', min: '0', max: '10000' });
  return h(
    'fieldset',
    { class: 'authors-note' },
    h('legend', null, t('authorsNote.legend')),
    h('p', { class: 'hint' }, hint),
    h(
      'div',
      { class: 'grid three' },
      field(t('authorsNote.note'), textarea('authorsNoteText', note.text, { rows: 3, placeholder: t('authorsNote.notePlaceholder') }), { wide: true, hint: t('authorsNote.noteHint') }),
      field(t('authorsNote.depth'), number('authorsNoteDepth', note.depth), { hint: t('authorsNote.depthHint') }),
      field(t('authorsNote.every'), number('authorsNoteFrequency', note.frequency), { hint: t('authorsNote.everyHint') }),
      field(t('authorsNote.as'), select('authorsNoteRole', roles(), note.role)),
    ),
  );
}

/**
 * The note as the fields say; an empty or non-numeric box is named (a
 * field error, as the back end's are).
 * @param {HTMLFormElement} form
 * @returns {api.AuthorsNote}
 */
export function readAuthorsNote(form) {
  const depth = num(form, 'authorsNoteDepth');
  const frequency = num(form, 'authorsNoteFrequency');
  for (const [name, value] of /** @type {[string, number | null][]} */ ([['authors_note_depth', depth], ['authors_note_frequency', frequency]])) {
    if (value === null || !Number.isInteger(value)) throw { error: t('authorsNote.wholeNumber'), type: 'ValidationError', details: { field: name } };
  }
  return {
    text: val(form, 'authorsNoteText'),
    depth: /** @type {number} */ (depth),
    frequency: /** @type {number} */ (frequency),
    role: /** @type {api.Role} */ (val(form, 'authorsNoteRole') || 'system'),
  };
}
