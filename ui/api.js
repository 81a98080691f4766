// @ts-check
// The module that talks to the Rust side: it and its areas in `ui/api/`
// (which call `call` and `channel` from here) know every command name; this
// file is the only caller of `invoke` and `listen` and the only one that
// opens a `Channel` (a reply's text and an import's progress come over one).
// Every call returns a Promise that rejects with an AppError (see below),
// never a bare string.
//
// It is one piece on purpose (past 400 lines): the one place that knows the
// core command names and the JSON shapes the Rust side sends. Newer areas
// (memory, documents) live in `ui/api/<area>.js`, one file per area.

import { errorWords } from './errors.js';
import { t } from './i18n.js';

/**
 * @typedef {"ValidationError"|"NotFoundError"|"ConflictError"|"BusinessRuleError"|"DatabaseError"|"ExternalApiError"|"CancelledError"|"InternalError"} ErrorType
 * @typedef {{error: string, type: ErrorType, details: {field?: string | null, [k: string]: unknown}, code?: string, values?: Record<string, unknown>}} AppError
 *   `error` is in the person's language when the Rust side sent a `code` the catalogue words (ui/errors.js)
 *
 * @typedef {{search?: string, deleted?: "live"|"deleted"|"all", sort?: "updated"|"created"|"name",
 *   direction?: "asc"|"desc", limit?: number, cursor?: string | null, characterId?: string,
 *   providerId?: string, tag?: string}} ListQuery
 */

/**
 * One page of a list; `nextCursor` is null on the last page.
 * @template T
 * @typedef {{items: T[], nextCursor: string | null}} Page
 */

/**
 * @typedef {{version: string, schemaVersion: number | string, dbPath: string, logDir: string}} AppInfo
 * @typedef {{id: string, name: string, creator: string, characterVersion: string, tags: string[],
 *   createdAt: string, updatedAt: string, deletedAt: string | null}} CharacterSummary
 * @typedef {{name: string, description: string, personality: string, scenario: string, firstMessage: string,
 *   exampleMessages: string, alternateGreetings: string[], systemPrompt: string, postHistoryInstructions: string,
 *   creatorNotes: string, tags: string[], creator: string, characterVersion: string}} CharacterInput
 * @typedef {CharacterSummary & CharacterInput & {extensions: unknown, characterBook: unknown}} Character
 * @typedef {{name: string, description: string}} PersonaInput
 * @typedef {PersonaInput & {id: string, createdAt: string, updatedAt: string, deletedAt: string | null}} Persona
 * @typedef {"openai_compatible"|"openrouter"|"anthropic"|"glm"|"ollama"|"local"|"koboldcpp"|"llamacpp"|"text_completion"} ProviderKind
 * @typedef {{name: string, kind: ProviderKind, baseUrl: string, apiKey?: string}} ProviderInput
 * @typedef {{id: string, name: string, kind: ProviderKind, baseUrl: string, createdAt: string,
 *   updatedAt: string, hasApiKey: boolean, keyCleared?: boolean}} Provider
 * @typedef {{providerId: string, modelId: string, displayName: string, contextLength: number | null,
 *   maxOutputTokens: number | null, temperature: number | null, topP: number | null, topK: number | null,
 *   minP: number | null, frequencyPenalty: number | null, presencePenalty: number | null,
 *   repetitionPenalty: number | null, seed: number | null}} ModelInput
 * @typedef {ModelInput & {id: string, createdAt: string, updatedAt: string}} AiModel
 * @typedef {{name: string, content: string}} PromptInput
 * @typedef {PromptInput & {id: string, isBuiltin: boolean, createdAt: string, updatedAt: string,
 *   deletedAt: string | null}} SystemPrompt
 * @typedef {{id: string, title: string, characterId: string | null, characterName: string | null,
 *   lastMessage: string | null, memberNames?: string[] | null, createdAt: string, updatedAt: string,
 *   deletedAt: string | null}} ChatSummary
 *   `memberNames`: a group chat's members in member order (ui/api/groups.js); null for one character
 * @typedef {{title: string, characterId: string | null, userProfileId: string | null,
 *   aiModelId: string | null, systemPromptId: string | null,
 *   generation?: import('./views/overrides.js').GenerationOverrides, authorsNote?: AuthorsNote}} ChatInput
 *   `generation`: the chat's own generation values; absent keeps them, `{}` clears them;
 *   `authorsNote`: the chat's author's note, absent keeps it (a new chat takes the default)
 * @typedef {{text: string, depth: number, frequency: number, role: Role}} AuthorsNote
 *   put into the prompt `depth` messages from the end every `frequency` of the person's messages
 * @typedef {ChatInput & {id: string, createdAt: string, updatedAt: string, deletedAt: string | null,
 *   generation?: import('./views/overrides.js').GenerationOverrides, authorsNote: AuthorsNote}} Chat
 * @typedef {"user"|"assistant"|"system"} Role
 * @typedef {{id: string, chatSessionId: string, seq: number, role: Role, status: MessageStatus,
 *   activeSwipe: number, swipeCount: number, createdAt: string, updatedAt: string,
 *   metadata: MessageMetadata, content: string, speakerId?: string | null, speakerName?: string | null}} Message
 *   `speakerId` / `speakerName`: in a group chat, the member who wrote a reply (null elsewhere;
 *   the id is null once that character is deleted for good, the name stays)
 * @typedef {"pending"|"streaming"|"completed"|"failed"|"cancelled"} MessageStatus
 * @typedef {{model?: string, provider?: string, inputTokens?: number, outputTokens?: number,
 *   finishReason?: string, timeToFirstTokenMs?: number, durationMs?: number, reasoning?: string,
 *   error?: string, errorCode?: string, errorValues?: Record<string, unknown>, endReason?: EndReason,
 *   memory?: MemoryPiece[], [k: string]: unknown}} MessageMetadata
 *   `error` in English; `errorCode` and `errorValues` word it (errors.js)
 * @typedef {{source: "document" | "summary" | "recall", tokens: number, label: string,
 *   documentId?: string, documentName?: string, chunkIndex?: number, memoryId?: string,
 *   firstSeq?: number, lastSeq?: number, messageId?: string, seq?: number}} MemoryPiece
 *   what memory gave a reply (`metadata.memory`, docs/MEMORY.md); the text is in the prompt
 * @typedef {"completed"|"stopped"|"failed"|"interrupted"|"cut_short"|"length"|"too_long"} EndReason
 *   why a finished reply ended (older messages have none: their status says it)
 * @typedef {{defaultCharacterId: string | null, defaultUserProfileId: string | null,
 *   defaultAiModelId: string | null, defaultSystemPromptId: string | null, temperature: number,
 *   maxOutputTokens: number, contextLength: number}} SettingsInput
 * @typedef {SettingsInput & {updatedAt: string}} Settings
 * @typedef {{id: string, name: string | null, contextLength: number | null}} RemoteModel
 * @typedef {{name: string, kind: ProviderKind, baseUrl: string, models: RemoteModel[]}} FoundServer
 */

/**
 * Replies and the events of their channel.
 * @typedef {{generationId: string, userMessage: Message | null, message: Message}} Started
 *   what send / regenerate / continue began: the reply (status `pending`) is written now
 * @typedef {{generationId: string, messageId: string}} Attached the reply a chat was writing, now also sent to this window
 * @typedef {{role: string, content: string}} PromptMessage
 * @typedef {{kind: "system" | "example" | "memory" | "objectives" | "history" | "authorsNote" | "postHistory", memory?: number[]}} PromptPart
 *   what a prompt message is, and the memory pieces (indexes into `memory`) it carries
 * @typedef {{messages: PromptMessage[], estimatedTokens: number, budgetTokens: number,
 *   historyIncluded: number, historyDropped: number, examplesIncluded: number,
 *   parts: PromptPart[], memory: MemoryPiece[],
 *   speaker?: import('./api/groups.js').PreviewSpeaker}} PromptPreview
 *   `speaker`: in a group chat, whose reply the prompt is for
 * @typedef {{event: "started", data: {generationId: string, messageId: string, userMessage: Message | null, message: Message}}
 *   | {event: "delta", data: {text: string, seq: number}}
 *   | {event: "reasoning", data: {text: string}}
 *   | {event: "notSaved", data: {error: AppError}}
 *   | {event: "done", data: {message: Message}}
 *   | {event: "cancelled", data: {message: Message}}
 *   | {event: "error", data: {message: Message | null, error: AppError}}} ReplyEvent
 *   what a reply's channel carries, in order: `started` first (for an attach or a continue,
 *   `message.content` is the text so far, which the deltas extend), then deltas (`seq` counts
 *   them from 1) and reasoning, then exactly one of done / cancelled / error with the stored message
 *   (before it, `notSaved` once while the database does not take the finished reply)
 */

/** @returns {TauriBridge["core"]} */
function tauriCore() {
  const tauri = window.__TAURI__;
  if (!tauri?.core?.invoke) {
    throw toAppError(t('api.notInWindow'));
  }
  return tauri.core;
}

/**
 * Turns whatever a command rejected with into an AppError.
 * @param {unknown} raw
 * @returns {AppError}
 */
export function toAppError(raw) {
  if (raw && typeof raw === 'object' && 'error' in raw && typeof raw.error === 'string') {
    const r = /** @type {any} */ (raw);
    const worded = typeof r.code === 'string' ? { code: r.code, values: r.values ?? {} } : {};
    return { error: errorWords(r), type: r.type ?? 'InternalError', details: r.details ?? {}, ...worded };
  }
  const text = raw instanceof Error ? raw.message : typeof raw === 'string' ? raw : t('error.unknown');
  return { error: text, type: 'InternalError', details: {} };
}

/**
 * @param {string} cmd
 * @param {object} [args] named arguments, or raw bytes (a Uint8Array) as the body
 * @param {{headers: Record<string, string>}} [options]
 * @returns {Promise<any>}
 */
export async function call(cmd, args, options) {
  try {
    return await tauriCore().invoke(cmd, args ?? {}, options);
  } catch (e) {
    throw toAppError(e);
  }
}

/**
 * Subscribes to a back-end event; resolves to an unsubscribe function.
 * Kept here so no other module knows the event API.
 * @param {string} event
 * @param {(payload: unknown) => void} handler
 * @returns {Promise<() => void>}
 */
async function listen(event, handler) {
  const ev = window.__TAURI__?.event;
  if (!ev?.listen) return () => {};
  return ev.listen(event, (e) => handler(e.payload));
}

/**
 * A new channel whose messages go to `onMessage`. The handler is in place
 * before the channel is handed to a command, so no message is missed.
 * @template T
 * @param {(message: T) => void} onMessage
 * @returns {TauriChannel<T>}
 */
export function channel(onMessage) {
  /** @type {TauriChannel<T>} */
  const ch = new (tauriCore().Channel)();
  ch.onmessage = onMessage;
  return ch;
}

/**
 * A reply event as the window uses it: an error event's error becomes an AppError.
 * @param {ReplyEvent} ev
 * @returns {ReplyEvent}
 */
function replyEvent(ev) {
  if (ev.event === 'error') return { event: 'error', data: { message: ev.data.message ?? null, error: toAppError(ev.data.error) } };
  if (ev.event === 'notSaved') return { event: 'notSaved', data: { error: toAppError(ev.data.error) } };
  return ev;
}

/**
 * Starts a reply command with its own channel.
 * @param {string} cmd @param {object} args @param {(ev: ReplyEvent) => void} onEvent
 */
export function startReply(cmd, args, onEvent) {
  const onMessage = /** @param {ReplyEvent} ev */ (ev) => onEvent(replyEvent(ev));
  return call(cmd, { ...args, onEvent: channel(onMessage) });
}

/** @returns {Promise<AppInfo>} */
export const appInfo = () => call('app_info');

/**
 * The seven commands every soft-deletable entity shares.
 * @template S, T, I
 * @param {string} prefix
 */
function entity(prefix) {
  return {
    /** @param {ListQuery} query @returns {Promise<Page<S>>} */
    list: (query) => call(`${prefix}_list`, { query }),
    /** @param {string} id @returns {Promise<T>} */
    get: (id) => call(`${prefix}_get`, { id }),
    /** @param {I} input @returns {Promise<T>} */
    create: (input) => call(`${prefix}_create`, { input }),
    /** @param {string} id @param {I} input @returns {Promise<T>} */
    update: (id, input) => call(`${prefix}_update`, { id, input }),
    /** @param {string} id @returns {Promise<void>} */
    remove: (id) => call(`${prefix}_delete`, { id }),
    /** @param {string} id @returns {Promise<T>} */
    restore: (id) => call(`${prefix}_restore`, { id }),
    /** @param {string} id @returns {Promise<void>} */
    purge: (id) => call(`${prefix}_purge`, { id }),
  };
}

/** @type {ReturnType<typeof entity<CharacterSummary, Character, CharacterInput>>} */
export const characters = entity('character');
/** @type {ReturnType<typeof entity<Persona, Persona, PersonaInput>>} */
export const personas = entity('user_profile');
/** @type {ReturnType<typeof entity<SystemPrompt, SystemPrompt, PromptInput>>} */
export const prompts = entity('system_prompt');
/** @type {ReturnType<typeof entity<ChatSummary, Chat, ChatInput>>} */
export const chats = entity('chat');
/**
 * A new chat's title from its first exchange, asked of its model in the
 * background; the chat as saved, or null when its title stays.
 * @param {string} id @returns {Promise<Chat | null>}
 */
export const makeChatTitle = (id) => call('chat_make_title', { id });

/** Providers are deleted for good (with their models); there is no trash. */
export const providers = {
  /** @param {ListQuery} query @returns {Promise<Page<Provider>>} */
  list: (query) => call('provider_list', { query }),
  /** @param {string} id @returns {Promise<Provider>} */
  get: (id) => call('provider_get', { id }),
  /** @param {ProviderInput} input @returns {Promise<Provider>} */
  create: (input) => call('provider_create', { input }),
  /** @param {string} id @param {ProviderInput} input @returns {Promise<Provider>} */
  update: (id, input) => call('provider_update', { id, input }),
  /** @param {string} id @returns {Promise<void>} */
  remove: (id) => call('provider_delete', { id }),
  /**
   * The models the provider offers, asked of the provider itself with the
   * stored URL and key; also the "Test connection" check.
   * @param {string} id @returns {Promise<RemoteModel[]>}
   */
  remoteModels: (id) => call('provider_models', { id }),
  /**
   * What the person must be told about the key store (a key file Parley
   * could not read and set aside), or null. Words only, never a key.
   * @returns {Promise<string | null>}
   */
  keyNotice: () => call('provider_key_notice'),
  /**
   * "Connect", first half: the models of a provider not saved yet, asked
   * with the URL and key as typed. Nothing is saved.
   * @param {ProviderInput} input @returns {Promise<RemoteModel[]>}
   */
  probe: (input) => call('provider_probe', { input }),
  /**
   * "Connect", second half: the provider and the models picked, saved
   * together (the first model ever saved becomes the default).
   * @param {ProviderInput} input @param {RemoteModel[]} models @returns {Promise<Provider>}
   */
  connect: (input, models) => call('provider_connect', { input, models }),
  /**
   * The usual local servers (Ollama, LM Studio, llama.cpp, KoboldCpp, Jan)
   * that answer on this computer, with their models.
   * @returns {Promise<FoundServer[]>}
   */
  scanLocal: () => call('provider_scan_local'),
};

export const demo = {
  /**
   * The starter character of the first-run screen, added (or taken out of
   * the trash) when needed.
   * @returns {Promise<Character>}
   */
  starterCharacter: () => call('demo_starter_character'),
};

export const models = {
  /** @param {ListQuery} query @returns {Promise<Page<AiModel>>} */
  list: (query) => call('ai_model_list', { query }),
  /** @param {string} id @returns {Promise<AiModel>} */
  get: (id) => call('ai_model_get', { id }),
  /** @param {ModelInput} input @returns {Promise<AiModel>} */
  create: (input) => call('ai_model_create', { input }),
  /** @param {string} id @param {ModelInput} input @returns {Promise<AiModel>} */
  update: (id, input) => call('ai_model_update', { id, input }),
  /** @param {string} id @returns {Promise<void>} */
  remove: (id) => call('ai_model_delete', { id }),
};

export const messages = {
  /**
   * The last page when `beforeId` is absent; pass `nextCursor` as `beforeId`
   * for the page before it.
   * @param {string} chatId @param {string | null} [beforeId] @param {number} [limit]
   * @returns {Promise<Page<Message>>}
   */
  page: (chatId, beforeId, limit) =>
    call('message_page', { chatId, ...(beforeId ? { beforeId } : {}), ...(limit ? { limit } : {}) }),
  /** @param {string} chatId @param {Role} role @param {string} content @returns {Promise<Message>} */
  add: (chatId, role, content) => call('message_add', { chatId, input: { role, content } }),
  /** @param {string} id @param {string} content @returns {Promise<Message>} */
  update: (id, content) => call('message_update', { id, content }),
  /** @param {string} id @returns {Promise<void>} */
  remove: (id) => call('message_delete', { id }),
  /**
   * Shows another version (swipe) of a message; `index` counts from 0.
   * @param {string} messageId @param {number} index @returns {Promise<Message>}
   */
  swipe: (messageId, index) => call('message_swipe', { messageId, index }),
};

/**
 * Writing replies. Each start resolves once the reply has begun (or rejects,
 * when it could not start); its text then comes in order to `onEvent` (see
 * ReplyEvent), over a channel that belongs to this one reply.
 */
export const replies = {
  /**
   * Stores the person's message and a pending reply, and starts the reply.
   * @param {string} chatId @param {string} text @param {(ev: ReplyEvent) => void} onEvent
   * @returns {Promise<Started | import('./api/groups.js').NoReply>} NoReply: a group chat's turn order picked nobody
   */
  send: (chatId, text, onEvent) => startReply('chat_send', { chatId, text }, onEvent),
  /** A new version (swipe) of the last reply.
   * @param {string} messageId @param {(ev: ReplyEvent) => void} onEvent @returns {Promise<Started>} */
  regenerate: (messageId, onEvent) => startReply('chat_regenerate', { messageId }, onEvent),
  /** Extends the last reply; deltas append to its text.
   * @param {string} messageId @param {(ev: ReplyEvent) => void} onEvent @returns {Promise<Started>} */
  continueReply: (messageId, onEvent) => startReply('chat_continue', { messageId }, onEvent),
  /**
   * Joins the reply the chat is writing, if any: its events come to
   * `onEvent` from `started` on (with the text so far). Null when none runs.
   * @param {string} chatId @param {(ev: ReplyEvent) => void} onEvent @returns {Promise<Attached | null>}
   */
  attach: (chatId, onEvent) => startReply('chat_attach', { chatId }, onEvent),
  /** @param {string} generationId @returns {Promise<boolean>} false when it had already ended */
  stop: (generationId) => call('chat_stop', { generationId }),
  /**
   * The window has drawn delta `seq` of a reply, so Parley may send the next
   * one: it paces deltas to the window's frames and sends each when the
   * window is free, not while it draws (services/generation.rs). An answer
   * that never comes only slows the next delta to Parley's fallback pace, so
   * failures are ignored. When to call it is views/chat/pacing.js's business.
   * @param {string} generationId @param {number} seq @returns {Promise<void>}
   */
  shown: (generationId, seq) => call('chat_delta_shown', { generationId, seq }).then(
    () => {},
    () => {},
  ),
  /** Exactly what would be sent for the next reply. @param {string} chatId @returns {Promise<PromptPreview>} */
  promptPreview: (chatId) => call('chat_prompt_preview', { chatId }),
};

/**
 * Markdown to sanitised HTML (pulldown-cmark + ammonia on the Rust side),
 * one string per text. Its output is the only HTML the UI ever inserts.
 * @param {string[]} texts @returns {Promise<string[]>}
 */
export const renderMarkdown = (texts) => call('markdown_render', { texts });

/**
 * Opens a link in the system browser (or mail program); Rust checks again
 * that it is an absolute http, https or mailto address.
 * @param {string} url @returns {Promise<void>}
 */
export const openLink = (url) => call('open_link', { url });

export const settings = {
  /** @returns {Promise<Settings>} */
  get: () => call('settings_get'),
  /** @param {SettingsInput} input @returns {Promise<Settings>} */
  update: (input) => call('settings_update', { input }),
};

/**
 * Preferences kept in the `app_config` table, one typed pair per key the
 * Rust side knows (`services/app_config.rs`).
 */
export const preferences = {
  /** Whether Enter sends a message (else Ctrl+Enter does). @returns {Promise<boolean>} */
  enterSends: () => call('config_get', { key: 'chat.enter_sends' }),
  /** @param {boolean} value @returns {Promise<boolean>} */
  setEnterSends: (value) => call('config_set', { key: 'chat.enter_sends', value }),
  /** The author's note new chats start with. @returns {Promise<AuthorsNote>} */
  authorsNote: () => call('config_get', { key: 'chat.authors_note' }),
  /** @param {AuthorsNote} value @returns {Promise<AuthorsNote>} */
  setAuthorsNote: (value) => call('config_set', { key: 'chat.authors_note', value }),
};

/**
 * Backups of the database (`services/backup.rs`), newest first. A restore
 * ends with the app starting again on the restored file.
 * @typedef {"manual"|"automatic"|"beforeMigration"|"beforeRestore"} BackupKind
 * @typedef {{name: string, kind: BackupKind, createdAt: string, bytes: number}} Backup
 * @typedef {{folder: string, backups: Backup[]}} Backups
 */
export const backups = {
  /** @returns {Promise<Backups>} */
  list: () => call('backup_list'),
  /** "Back up now". @returns {Promise<Backup>} */
  create: () => call('backup_create'),
  /** @param {string} name @returns {Promise<void>} */
  remove: (name) => call('backup_delete', { name }),
  /** Deletes every backup made until now; how many. @returns {Promise<number>} */
  removeAllUntilNow: () => call('backup_delete_all_before_now'),
  /** @param {string} name @returns {Promise<void>} */
  restore: (name) => call('backup_restore', { name }),
  /** How many backups are kept. @returns {Promise<number>} */
  keep: () => call('config_get', { key: 'backup.keep' }),
  /** @param {number} value @returns {Promise<number>} */
  setKeep: (value) => call('config_set', { key: 'backup.keep', value }),
};

/** Rows per list page. */
export const PAGE_SIZE = 50;

/**
 * Every row of a list, following cursors (for the small lists behind selects).
 * @template T
 * @param {(q: ListQuery) => Promise<Page<T>>} list
 * @param {ListQuery} [query]
 * @returns {Promise<T[]>}
 */
export async function listAll(list, query = {}) {
  /** @type {T[]} */
  const all = [];
  /** @type {string | null} */
  let cursor = null;
  for (let i = 0; i < 20; i += 1) {
    const page = await list({ ...query, limit: 500, ...(cursor ? { cursor } : {}) });
    all.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return all;
}

/**
 * Import and export (character cards, SillyTavern chats).
 * @typedef {{file: string, kind: "character"|"chat"|"group", id: string, name: string,
 *   createdCharacter?: {id: string, name: string}, missingMembers?: string[]}} Imported
 *   `createdCharacter`: the character an imported chat made, none having its name;
 *   a `group` (a SillyTavern group file) has its first chat's id; `missingMembers`:
 *   a group chat's members or speakers no character matched
 * @typedef {{file: string, reason: string, code?: string, values?: Record<string, unknown>}} Skipped
 *   `reason` in English; `code` and `values` word it (errors.js `skippedWords`)
 * @typedef {{imported: Imported[], skipped: Skipped[]}} ImportReport
 * @typedef {{done: number, total: number, file: string}} ImportProgress
 * @typedef {"png"|"json_v2"|"json_v3"} CardFormat
 */
export const transfer = {
  /**
   * Imports one file the person picked (card PNG/JSON/CHARX or a SillyTavern
   * `.jsonl` chat), sent as raw bytes with its name in a header.
   * @param {File} file @returns {Promise<ImportReport>}
   */
  importFile: async (file) =>
    call('import_file', new Uint8Array(await file.arrayBuffer()), {
      headers: { 'x-file-name': encodeURIComponent(file.name) },
    }),
  /**
   * Imports files and folders by path (drag and drop); a SillyTavern data
   * folder brings its characters and their chats. Progress (a file done)
   * comes to `onProgress` while it runs.
   * @param {string[]} paths @param {(p: ImportProgress) => void} onProgress
   * @returns {Promise<ImportReport>}
   */
  importPaths: (paths, onProgress) => call('import_paths', { paths, onProgress: channel(onProgress) }),
  /**
   * SillyTavern data folders in their usual places, with their counts; one
   * is imported with `importPaths`.
   * @returns {Promise<{path: string, characters: number, chats: number}[]>}
   */
  sillyTavernFound: () => call('import_sillytavern_found'),
  /**
   * Writes the character as a card into the Downloads folder.
   * @param {string} id @param {CardFormat} format @returns {Promise<{path: string}>}
   */
  exportCharacter: (id, format) => call('export_character', { id, format }),
  /** Writes the chat as a SillyTavern `.jsonl` into the Downloads folder (a
   * group chat with its SillyTavern group file beside it, `groupPath`).
   * @param {string} id @returns {Promise<{path: string, groupPath?: string}>} */
  exportChat: (id) => call('export_chat', { id }),
};

/**
 * Files or folders dropped on the window (Tauri's own drag-and-drop events).
 * `position` is where the drop happened, in physical pixels.
 * @param {{enter?: () => void, leave?: () => void, drop: (paths: string[], position: {x: number, y: number} | null) => void}} handlers
 * @returns {Promise<() => void>}
 */
export async function onFileDrop(handlers) {
  const offs = await Promise.all([
    listen('tauri://drag-enter', () => handlers.enter?.()),
    listen('tauri://drag-leave', () => handlers.leave?.()),
    listen('tauri://drag-drop', (p) => {
      const drop = /** @type {{paths?: string[], position?: {x: number, y: number}} | null} */ (p);
      handlers.drop(drop?.paths ?? [], drop?.position ?? null);
    }),
  ]);
  return () => offs.forEach((off) => off());
}

/**
 * Small avatar images for list rows, as `data:` URLs, for those of `ids`
 * that have an avatar.
 * @param {string[]} ids @returns {Promise<Record<string, string>>}
 */
export const characterThumbnails = (ids) => call('character_thumbnails', { ids });

/**
 * Full-text search. Snippets mark each match between U+0002 (start) and
 * U+0003 (end); build <mark> elements from them, never HTML.
 * @typedef {{query: string, characterId?: string | null, from?: string | null, to?: string | null,
 *   limit?: number}} SearchQuery  from/to are RFC 3339 times (inclusive)
 * @typedef {{messageId: string, chatId: string, chatTitle: string, characterId: string | null,
 *   characterName: string | null, seq: number, role: Role, createdAt: string, snippet: string}} MessageHit
 * @typedef {{id: string, name: string, snippet: string}} CharacterHit
 * @typedef {{messages: MessageHit[], characters: CharacterHit[], tasks?: import('./api/tasks.js').TaskHit[]}} SearchResults
 * @param {SearchQuery} query @returns {Promise<SearchResults>}
 */
export const search = (query) => call('search', { query });

/**
 * Windowed reading of a long chat, beside `messages.page` (which reads
 * backwards from the end or from a message).
 * @typedef {{items: Message[], hasBefore: boolean, hasAfter: boolean}} Window
 */
export const messageWindow = {
  /** The page right after `afterId`, oldest first.
   * @param {string} chatId @param {string} afterId @param {number} [limit] @returns {Promise<Page<Message>>} */
  after: (chatId, afterId, limit) => call('message_page_after', { chatId, afterId, ...(limit ? { limit } : {}) }),
  /** The messages around `messageId` (it included), oldest first.
   * @param {string} chatId @param {string} messageId @param {number} [limit] @returns {Promise<Window>} */
  around: (chatId, messageId, limit) =>
    call('message_page_around', { chatId, messageId, ...(limit ? { limit } : {}) }),
};

/**
 * Pictures of characters and personas (issue 12). Setting one crops it to a
 * square and scales it in Rust; a refusal is an AppError in words.
 * @typedef {"character"|"persona"} AvatarOwner
 */
export const avatars = {
  /** From a file's contents as a `data:` URL.
   * @param {AvatarOwner} owner @param {string} id @param {string} data @returns {Promise<void>} */
  set: (owner, id, data) => call('avatar_set', { owner, id, data }),
  /** From a file dropped on the window.
   * @param {AvatarOwner} owner @param {string} id @param {string} path @returns {Promise<void>} */
  setPath: (owner, id, path) => call('avatar_set_path', { owner, id, path }),
  /** @param {AvatarOwner} owner @param {string} id @returns {Promise<void>} */
  clear: (owner, id) => call('avatar_clear', { owner, id }),
  /** The whole picture, or null. @param {AvatarOwner} owner @param {string} id @returns {Promise<string | null>} */
  get: (owner, id) => call('avatar_get', { owner, id }),
  /** Small pictures: id -> `data:` URL for those that have one.
   * @param {AvatarOwner} owner @param {string[]} ids @returns {Promise<Record<string, string>>} */
  small: (owner, ids) => call('avatar_small', { owner, ids }),
};

/** Estimated tokens of each text (the same estimate prompts are built with).
 * @param {string[]} texts @returns {Promise<number[]>} */
export const tokensCount = (texts) => call('tokens_count', { texts });
