// @ts-check
// The option lists behind the "pick a character / persona / model / prompt"
// selects (Settings, New chat, chat settings).

import * as api from '../api.js';
import { select } from '../dom.js';
import { t } from '../i18n.js';

/** @typedef {{value: string, label: string, group?: string}} Option */
/** @typedef {{characters: Option[], personas: Option[], models: Option[], prompts: Option[]}} Choices */

/** @returns {Promise<Choices>} */
export async function loadChoices() {
  const [characters, personas, providers, models, prompts] = await Promise.all([
    api.listAll(api.characters.list, { sort: 'name' }),
    api.listAll(api.personas.list, { sort: 'name' }),
    api.listAll(api.providers.list, { sort: 'name' }),
    api.listAll(api.models.list, { sort: 'name' }),
    api.listAll(api.prompts.list, { sort: 'name' }),
  ]);
  const providerName = new Map(providers.map((p) => [p.id, p.name]));
  return {
    characters: characters.map((c) => ({ value: c.id, label: c.name })),
    personas: personas.map((p) => ({ value: p.id, label: p.name })),
    models: models.map((m) => ({ value: m.id, label: m.displayName || m.modelId, group: providerName.get(m.providerId) ?? t('choices.otherProvider') })),
    prompts: prompts.map((p) => ({ value: p.id, label: p.isBuiltin ? t('choices.builtIn', { name: p.name }) : p.name })),
  };
}

/**
 * A select with a first "none" option. A selected id that is not among the
 * options (deleted since) is shown as such rather than silently dropped.
 * @param {string} name
 * @param {Option[]} options
 * @param {string | null | undefined} selected
 * @param {string} noneLabel
 */
export function choiceSelect(name, options, selected, noneLabel) {
  const all = [{ value: '', label: noneLabel }, ...options];
  if (selected && !options.some((o) => o.value === selected)) all.push({ value: selected, label: t('choices.deleted') });
  return select(name, all, selected ?? '');
}
