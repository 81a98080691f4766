// @ts-check
// Group chats (`commands/group.rs`, docs/CHAT.md "Group chats"): create one,
// its members (add, remove, mute, talkativeness, order), its settings, who
// speaks next, a send with the speaker picked, and a turn with no message of
// the person's (force talk, auto-mode). Replies stream over their own channel
// exactly as a one-character chat's do (see ReplyEvent in api.js).

import { call, startReply } from '../api.js';

/**
 * @typedef {"manual" | "natural" | "list" | "pooled"} TurnOrder
 *   manual: the person picks; natural: named in the newest message first, then by talkativeness,
 *   never the same twice in a row unless alone; list: member order; pooled: everyone once before anyone twice
 * @typedef {{chatSessionId: string, characterId: string, name: string, position: number,
 *   talkativeness: number, muted: boolean, createdAt: string}} ChatMember
 *   `position` from 0 in member order; `talkativeness` 0..1; a muted member is never picked by the
 *   turn order but can be made to talk (`turn` with its id)
 * @typedef {{turnOrder: TurnOrder, joinCards: boolean, scenario: string, autoDelaySecs: number,
 *   autoTurnLimit: number}} GroupSettings
 *   `joinCards`: every member's card in the prompt, the speaker's last; `scenario` (<= 20,000 characters)
 *   replaces the cards' scenarios when not empty; `autoDelaySecs` 0..600; `autoTurnLimit` 1..1000
 * @typedef {{characterIds: string[], title?: string, userProfileId?: string | null,
 *   aiModelId?: string | null, systemPromptId?: string | null, settings?: GroupSettings}} GroupInput
 *   2 or more live characters, in member order; the first one's greeting opens the chat
 * @typedef {{chat: import('../api.js').Chat, members: ChatMember[], settings: GroupSettings}} GroupChat
 * @typedef {{muted?: boolean, talkativeness?: number, position?: number}} MemberUpdate
 *   absent keys keep their value; `position` is the member's new place, from 0
 * @typedef {{generationId: null, messageId: null, message: null, userMessage: import('../api.js').Message,
 *   noReply: "pickSpeaker" | "allMuted"}} NoReply
 *   a send in a group whose turn order picked nobody: the person's message is stored, no reply
 *   started and the channel hears nothing (`pickSpeaker`: manual order, start one with `turn`)
 * @typedef {"picked" | "mentioned" | "talkative" | "drawn" | "next" | "firstMember"} ChosenBy
 *   how "Show prompt" came to its speaker: `talkative` and `drawn` are random, a reply picks again;
 *   `firstMember`: manual order (or all muted), the first member stands in
 * @typedef {{characterId: string, name: string, chosenBy: ChosenBy}} PreviewSpeaker
 */

export const groups = {
  /** @param {GroupInput} input @returns {Promise<GroupChat>} */
  create: (input) => call('group_create', { input }),
  /** Members in member order; empty for a one-character chat. @param {string} chatId @returns {Promise<ChatMember[]>} */
  members: (chatId) => call('group_members', { chatId }),
  /**
   * Adds a member last; a one-character chat becomes a group (its character first).
   * @param {string} chatId @param {string} characterId @returns {Promise<ChatMember[]>}
   */
  addMember: (chatId, characterId) => call('group_member_add', { chatId, characterId }),
  /** At least one member stays; its messages keep their speaker. @param {string} chatId @param {string} characterId @returns {Promise<ChatMember[]>} */
  removeMember: (chatId, characterId) => call('group_member_remove', { chatId, characterId }),
  /** @param {string} chatId @param {string} characterId @param {MemberUpdate} change @returns {Promise<ChatMember[]>} */
  updateMember: (chatId, characterId, change) => call('group_member_update', { chatId, characterId, change }),
  /** @param {string} chatId @returns {Promise<GroupSettings>} */
  settings: (chatId) => call('group_settings', { chatId }),
  /** Replaces the settings as a whole. @param {string} chatId @param {GroupSettings} settings @returns {Promise<GroupSettings>} */
  setSettings: (chatId, settings) => call('group_settings_set', { chatId, settings }),
  /** Who the turn order would pick now; null in manual order or with everyone muted. @param {string} chatId @returns {Promise<ChatMember | null>} */
  nextSpeaker: (chatId) => call('group_next_speaker', { chatId }),
  /**
   * The person's message and a reply by `speakerId` (any member, muted too) or, when null, by the
   * turn order's pick; a NoReply when it picks nobody.
   * @param {string} chatId @param {string} text @param {string | null} speakerId
   * @param {(ev: import('../api.js').ReplyEvent) => void} onEvent
   * @returns {Promise<import('../api.js').Started | NoReply>}
   */
  send: (chatId, text, speakerId, onEvent) => startReply('chat_send', { chatId, text, speakerId }, onEvent),
  /**
   * A reply with no message of the person's: by `speakerId` (force talk, muted members too) or,
   * when null, the turn order's pick (auto-mode). Null when the turn order picks nobody.
   * @param {string} chatId @param {string | null} speakerId
   * @param {(ev: import('../api.js').ReplyEvent) => void} onEvent
   * @returns {Promise<import('../api.js').Started | null>}
   */
  turn: (chatId, speakerId, onEvent) => startReply('group_turn', { chatId, speakerId }, onEvent),
  /**
   * "Show prompt" for `speakerId`'s reply, or (null) the next speaker's; `speaker` says whose.
   * @param {string} chatId @param {string | null} speakerId
   * @returns {Promise<import('../api.js').PromptPreview>}
   */
  promptPreview: (chatId, speakerId) => call('chat_prompt_preview', { chatId, speakerId }),
};
