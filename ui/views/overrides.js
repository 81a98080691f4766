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
import { t, formatNumber } from '../i18n.js';

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

/**
 * key, label, step, range (as the back end checks it); the words are read
 * when shown (the language is chosen at boot).
 * @type {[OverrideKey, () => string, string, () => string][]}
 */
export const OVERRIDES = [
  ['contextLength', () => t('overrides.contextLength'), '1', () => t('overrides.contextLengthRange')],
  ['maxOutputTokens', () => t('overrides.maxOutputTokens'), '1', () => t('overrides.maxOutputTokensRange')],
  ['temperature', () => t('overrides.temperature'), 'any', () => t('overrides.temperatureRange')],
  ['topP', () => t('overrides.topP'), 'any', () => '0\u20131'],
  ['topK', () => t('overrides.topK'), '1', () => t('overrides.topKRange')],
  ['minP', () => t('overrides.minP'), 'any', () => '0\u20131'],
  ['frequencyPenalty', () => t('overrides.frequencyPenalty'), 'any', () => '-2\u20132'],
  ['presencePenalty', () => t('overrides.presencePenalty'), 'any', () => '-2\u20132'],
  ['repetitionPenalty', () => t('overrides.repetitionPenalty'), 'any', () => '0\u201310'],
  ['seed', () => t('overrides.seed'), '1', () => t('overrides.seedRange')],
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
  if (value === null) return t('overrides.providerDefault');
  const n = formatNumber(value, { maximumFractionDigits: 4 });
  return source === 'model' ? t('overrides.fromModel', { value: n }) : t('overrides.fromSettings', { value: n });
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
      label(),
      input(key, set[key] ?? null, { type: 'number', step, inputmode: 'decimal', placeholder: inheritedText(key, from) }),
      { hint: range() },
    ),
  );
  const fieldset = h(
    'fieldset',
    { class: 'overrides', id: 'generation-overrides' },
    h('legend', null, t('overrides.legend')),
    h('p', { class: 'hint' }, t('overrides.hint')),
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
      ? t('overrides.notANumber')
      : value !== null && step === '1' && !Number.isInteger(value)
        ? t('overrides.notWholeNumber')
        : null;
    if (wrong) {
      const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      throw { error: wrong, type: 'ValidationError', details: { field: snake } };
    }
    if (value !== null) out[key] = value;
  }
  return out;
}
