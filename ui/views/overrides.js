// @ts-check
// A chat's "Generation overrides": its own context length, max output
// tokens and sampling values, so one chat can differ from the model other
// chats share. An empty box inherits: the chat first, then its model, then
// Settings (the order services/generation_params.rs applies). Each empty
// box shows what the chat gets instead and where that comes from.
//
// The chat settings panel appends `overridesFieldset(...)` to its form,
// calls `showInherited` when the model choice changes, and sends
// `readOverrides(form)` as `generation` in chat_create / chat_update.

import * as api from '../api.js';
import { h, field, input, num } from '../dom.js';

/**
 * The `generation` of a chat and of chat_create / chat_update's input: a
 * missing or null key inherits; `{}` clears every override.
 * @typedef {{contextLength?: number | null, maxOutputTokens?: number | null,
 *   temperature?: number | null, topP?: number | null, topK?: number | null, minP?: number | null,
 *   frequencyPenalty?: number | null, presencePenalty?: number | null,
 *   repetitionPenalty?: number | null, seed?: number | null}} GenerationOverrides
 * @typedef {keyof GenerationOverrides} OverrideKey
 * @typedef {"model" | "settings" | "provider"} InheritedSource
 * @typedef {{model: api.AiModel | null, settings: api.Settings}} Inherited
 *   what an empty box falls back to: the chat's model (null when it has none) and Settings
 */

/** @type {[OverrideKey, string, string, string][]} key, label, step, range (as the back end checks it) */
export const OVERRIDES = [
  ['contextLength', 'Context length', '1', '256\u201310,000,000 tokens'],
  ['maxOutputTokens', 'Max output tokens', '1', '1\u20131,000,000; less than the context length'],
  ['temperature', 'Temperature', 'any', '0\u20132; higher is more varied'],
  ['topP', 'Top P', 'any', '0\u20131'],
  ['topK', 'Top K', '1', 'Whole number'],
  ['minP', 'Min P', 'any', '0\u20131'],
  ['frequencyPenalty', 'Frequency penalty', 'any', '-2\u20132'],
  ['presencePenalty', 'Presence penalty', 'any', '-2\u20132'],
  ['repetitionPenalty', 'Repetition penalty', 'any', '0\u201310'],
  ['seed', 'Seed', '1', '0\u20134,294,967,295; the same seed gives the same reply'],
];

/**
 * What a chat without an override of `key` gets, and from where: the
 * model's value, else Settings' (limits and temperature), else nothing is
 * sent and the provider decides.
 * @param {OverrideKey} key
 * @param {Inherited} from
 * @returns {{value: number | null, source: InheritedSource}}
 */
export function inheritedValue(key, from) {
  const own = from.model ? from.model[key] : null;
  if (own !== null && own !== undefined) return { value: own, source: 'model' };
  // Settings holds these three; it has no other sampling defaults.
  if (key === 'contextLength' || key === 'maxOutputTokens' || key === 'temperature') {
    return { value: from.settings[key], source: 'settings' };
  }
  return { value: null, source: 'provider' };
}

/**
 * "from Settings (8,192)", "from the model (0.7)", "provider default".
 * @param {OverrideKey} key
 * @param {Inherited} from
 */
export function inheritedText(key, from) {
  const { value, source } = inheritedValue(key, from);
  if (value === null) return 'provider default';
  const n = new Intl.NumberFormat(undefined, { maximumFractionDigits: 4 }).format(value);
  return source === 'model' ? `from the model (${n})` : `from Settings (${n})`;
}

/**
 * The chat's model (its own, else Settings' default model) and Settings:
 * what `overridesFieldset` and `showInherited` need.
 * @param {string | null} aiModelId the chat's model, as chosen in the form
 * @returns {Promise<Inherited>}
 */
export async function loadInherited(aiModelId) {
  const settings = await api.settings.get();
  const id = aiModelId ?? settings.defaultAiModelId;
  // A model deleted meanwhile inherits nothing; the chat panel says so itself.
  const model = id ? await api.models.get(id).catch(() => null) : null;
  return { model, settings };
}

/**
 * The "Generation overrides" fieldset: one number box per value, filled
 * with the chat's override or empty, the inherited value as placeholder.
 * Input names are the camelCase keys, so a validation error the back end
 * names (`max_output_tokens`) lands under its box.
 * @param {GenerationOverrides | null | undefined} current the chat's `generation` (`{}` or null for a new chat)
 * @param {Inherited} from
 * @returns {HTMLFieldSetElement}
 */
export function overridesFieldset(current, from) {
  const set = current ?? {};
  const boxes = OVERRIDES.map(([key, label, step, range]) =>
    field(
      label,
      input(key, set[key] ?? null, { type: 'number', step, inputmode: 'decimal', placeholder: inheritedText(key, from) }),
      { hint: range },
    ),
  );
  const fieldset = h(
    'fieldset',
    { class: 'overrides', id: 'generation-overrides' },
    h('legend', null, 'Generation overrides'),
    h('p', { class: 'hint' }, 'For this chat only. An empty box uses the model\u2019s value, else the one in Settings; the grey text says which.'),
    h('div', { class: 'grid three' }, ...boxes),
  );
  return /** @type {HTMLFieldSetElement} */ (fieldset);
}

/**
 * Updates the placeholders after the chat's model choice changed.
 * @param {HTMLFieldSetElement} fieldset from `overridesFieldset`
 * @param {Inherited} from
 */
export function showInherited(fieldset, from) {
  for (const [key] of OVERRIDES) {
    const box = fieldset.querySelector(`input[name="${key}"]`);
    if (box instanceof HTMLInputElement) box.placeholder = inheritedText(key, from);
  }
}

/**
 * The overrides typed in, as `generation` for chat_create / chat_update:
 * only the boxes with a number (so `{}` clears every override). A box with
 * text that is not a number, or a fraction where a whole number belongs, is
 * refused here, named like a back-end error, rather than silently inherited
 * or sent as a call the back end cannot read. Call it inside `submitting`.
 * @param {HTMLFormElement} form the form the fieldset is in
 * @returns {GenerationOverrides}
 */
export function readOverrides(form) {
  /** @type {GenerationOverrides} */
  const out = {};
  for (const [key, , step] of OVERRIDES) {
    const box = form.elements.namedItem(key);
    const value = num(form, key);
    // Whole-number values (step 1) would otherwise fail as a malformed call.
    const wrong = box instanceof HTMLInputElement && box.validity.badInput
      ? 'enter a number, or leave it empty to inherit'
      : value !== null && step === '1' && !Number.isInteger(value)
        ? 'enter a whole number'
        : null;
    if (wrong) {
      const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      throw { error: wrong, type: 'ValidationError', details: { field: snake } };
    }
    if (value !== null) out[key] = value;
  }
  return out;
}
