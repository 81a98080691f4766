// @ts-check
// The persona / model / prompt selects shared by "New chat" and a chat's settings.

import * as api from '../../api.js';
import { field, input } from '../../dom.js';
import { choiceSelect } from '../choices.js';

/**
 * @param {import('../choices.js').Choices} choices
 * @param {Partial<api.ChatInput>} v
 * @param {boolean} withCharacter
 */
export function chatFields(choices, v, withCharacter) {
  return [
    withCharacter ? field('Character', choiceSelect('characterId', choices.characters, v.characterId, 'No character (plain assistant)')) : null,
    field('Title', input('title', v.title, { maxlength: 500, placeholder: 'Named after the character' })),
    field('Persona', choiceSelect('userProfileId', choices.personas, v.userProfileId, 'None')),
    field('Model', choiceSelect('aiModelId', choices.models, v.aiModelId, 'None')),
    field('System prompt', choiceSelect('systemPromptId', choices.prompts, v.systemPromptId, 'None')),
  ].filter((x) => x !== null);
}
