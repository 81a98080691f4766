// @ts-check
// The author's note fields, shared by a chat's settings and Settings (the
// note new chats start with): text, depth, frequency, role
// (docs/MACROS.md, "The author's note").

import * as api from '../api.js';
import { h, field, input, textarea, select, val, num } from '../dom.js';

const ROLES = [
  { value: 'system', label: 'System' },
  { value: 'user', label: 'User' },
  { value: 'assistant', label: 'Assistant' },
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
    h('legend', null, 'Author\u2019s note'),
    h('p', { class: 'hint' }, hint),
    h(
      'div',
      { class: 'grid three' },
      field('Note', textarea('authorsNoteText', note.text, { rows: 3, placeholder: 'e.g. Keep replies short; it is raining.' }), { wide: true, hint: 'Macros such as {{char}} and {{user}} work here.' }),
      field('Depth', number('authorsNoteDepth', note.depth), { hint: 'Messages from the end: 0 after the last one.' }),
      field('Every', number('authorsNoteFrequency', note.frequency), { hint: 'Of your messages: 1 every time, 3 every third, 0 never.' }),
      field('As', select('authorsNoteRole', ROLES, note.role)),
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
    if (value === null || !Number.isInteger(value)) throw { error: 'enter a whole number', type: 'ValidationError', details: { field: name } };
  }
  return {
    text: val(form, 'authorsNoteText'),
    depth: /** @type {number} */ (depth),
    frequency: /** @type {number} */ (frequency),
    role: /** @type {api.Role} */ (val(form, 'authorsNoteRole') || 'system'),
  };
}
