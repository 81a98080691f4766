// @ts-check
// The persona / model / prompt selects shared by "New chat" and a chat's settings.

import * as api from '../../api.js';
import { field, input } from '../../dom.js';
import { t } from '../../i18n.js';
import { choiceSelect } from '../choices.js';

/**
 * @param {import('../choices.js').Choices} choices
 * @param {Partial<api.ChatInput>} v
 * @param {boolean} withCharacter
 */
export function chatFields(choices, v, withCharacter) {
  return [
    withCharacter ? field(t('chatFields.character'), choiceSelect('characterId', choices.characters, v.characterId, t('chatFields.noCharacter'))) : null,
    field(t('chatFields.title'), input('title', v.title, { maxlength: 500, placeholder: t('chatFields.titlePlaceholder') })),
    field(t('chatFields.persona'), choiceSelect('userProfileId', choices.personas, v.userProfileId, t('common.none'))),
    field(t('chatFields.model'), choiceSelect('aiModelId', choices.models, v.aiModelId, t('common.none'))),
    field(t('chatFields.systemPrompt'), choiceSelect('systemPromptId', choices.prompts, v.systemPromptId, t('common.none'))),
  ].filter((x) => x !== null);
}
