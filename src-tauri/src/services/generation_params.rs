//! Which generation values a reply uses, and where each one came from.
//!
//! One order everywhere: the chat's own overrides, then the chat's model,
//! then Settings. Context length, max output tokens and temperature always
//! end with a value (Settings holds one of each). The other sampling
//! parameters have no Settings default: when neither the chat nor the model
//! sets one it is not sent, and the provider's own default applies.
//!
//! Pure: no I/O. The generation code reads the chat, its model and Settings,
//! calls [`resolve`] and sends what comes back; "Show prompt" shows
//! [`Effective::source`] so the person sees where each value came from.
//! Nothing else may pick between these layers: a second place that merges
//! them is how the Settings screen came to promise values no code read.

use serde::Serialize;

use crate::models::{AiModel, ChatOverrides, SamplingParams, Settings};

/// Where an effective value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The chat's own overrides.
    Chat,
    /// The chat's model.
    Model,
    /// The Settings screen.
    Settings,
    /// Nobody set it: not sent, the provider decides (sampling values
    /// other than temperature only).
    Provider,
}

impl Source {
    /// Where the value came from, for messages: "the model".
    pub fn label(self) -> &'static str {
        match self {
            Self::Chat => "the chat",
            Self::Model => "the model",
            Self::Settings => "Settings",
            Self::Provider => "the provider",
        }
    }
}

/// The source of each value of [`Effective`], field by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sources {
    pub context_length: Source,
    pub max_output_tokens: Source,
    pub temperature: Source,
    pub top_p: Source,
    pub top_k: Source,
    pub min_p: Source,
    pub frequency_penalty: Source,
    pub presence_penalty: Source,
    pub repetition_penalty: Source,
    pub seed: Source,
}

/// The values a reply is generated with. `params.temperature` is always
/// `Some`; another `None` parameter is left out of the request.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Effective {
    pub context_length: i64,
    pub max_output_tokens: i64,
    pub params: SamplingParams,
    pub source: Sources,
}

/// The values for a reply in a chat with these overrides and this model.
pub fn resolve(chat: &ChatOverrides, model: &AiModel, settings: &Settings) -> Effective {
    layered(chat, Some(model), settings)
}

/// The same order for a chat with no model yet: its overrides, then
/// Settings (for checking a chat's overrides before it has a model).
pub fn resolve_without_model(chat: &ChatOverrides, settings: &Settings) -> Effective {
    layered(chat, None, settings)
}

fn layered(chat: &ChatOverrides, model: Option<&AiModel>, settings: &Settings) -> Effective {
    let (m_context, m_max_out, m) = model.map_or((None, None, SamplingParams::default()), |m| {
        (m.context_length, m.max_output_tokens, m.params)
    });
    let c = &chat.params;
    let (context_length, context_source) = or_settings(
        first(chat.context_length, m_context),
        settings.context_length,
    );
    let (max_output_tokens, max_out_source) = or_settings(
        first(chat.max_output_tokens, m_max_out),
        settings.max_output_tokens,
    );
    let (temperature, temperature_source) =
        or_settings(first(c.temperature, m.temperature), settings.temperature);
    let (top_p, top_p_source) = or_provider(first(c.top_p, m.top_p));
    let (top_k, top_k_source) = or_provider(first(c.top_k, m.top_k));
    let (min_p, min_p_source) = or_provider(first(c.min_p, m.min_p));
    let (frequency_penalty, frequency_source) =
        or_provider(first(c.frequency_penalty, m.frequency_penalty));
    let (presence_penalty, presence_source) =
        or_provider(first(c.presence_penalty, m.presence_penalty));
    let (repetition_penalty, repetition_source) =
        or_provider(first(c.repetition_penalty, m.repetition_penalty));
    let (seed, seed_source) = or_provider(first(c.seed, m.seed));
    Effective {
        context_length,
        max_output_tokens,
        params: SamplingParams {
            temperature: Some(temperature),
            top_p,
            top_k,
            min_p,
            frequency_penalty,
            presence_penalty,
            repetition_penalty,
            seed,
        },
        source: Sources {
            context_length: context_source,
            max_output_tokens: max_out_source,
            temperature: temperature_source,
            top_p: top_p_source,
            top_k: top_k_source,
            min_p: min_p_source,
            frequency_penalty: frequency_source,
            presence_penalty: presence_source,
            repetition_penalty: repetition_source,
            seed: seed_source,
        },
    }
}

/// The chat's value if set, else the model's. `Some(0.0)` is a value.
fn first<T>(chat: Option<T>, model: Option<T>) -> Option<(T, Source)> {
    chat.map(|v| (v, Source::Chat))
        .or_else(|| model.map(|v| (v, Source::Model)))
}

fn or_settings<T>(value: Option<(T, Source)>, settings: T) -> (T, Source) {
    value.unwrap_or((settings, Source::Settings))
}

fn or_provider<T>(value: Option<(T, Source)>) -> (Option<T>, Source) {
    match value {
        Some((v, source)) => (Some(v), source),
        None => (None, Source::Provider),
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;
    use serde_json::{json, Value};

    use super::*;
    use crate::models::{Id, Timestamp};

    fn settings() -> Settings {
        Settings {
            default_character_id: None,
            default_user_profile_id: None,
            default_ai_model_id: None,
            default_system_prompt_id: None,
            temperature: 0.8,
            max_output_tokens: 1024,
            context_length: 8192,
            updated_at: Timestamp::from_millis(0),
        }
    }

    fn model(context: Option<i64>, max_out: Option<i64>, params: SamplingParams) -> AiModel {
        AiModel {
            id: Id::nil(),
            provider_id: Id::nil(),
            model_id: "m".into(),
            display_name: "M".into(),
            context_length: context,
            max_output_tokens: max_out,
            params,
            created_at: Timestamp::from_millis(0),
            updated_at: Timestamp::from_millis(0),
        }
    }

    /// A model that sets its limits, temperature 0.7, top_p 0.9 and top_k 40.
    fn tuned_model() -> AiModel {
        model(
            Some(32_768),
            Some(2048),
            SamplingParams {
                temperature: Some(0.7),
                top_p: Some(0.9),
                top_k: Some(40),
                ..Default::default()
            },
        )
    }

    /// A model that sets nothing.
    fn bare_model() -> AiModel {
        model(None, None, SamplingParams::default())
    }

    fn chat(context: Option<i64>, max_out: Option<i64>, params: SamplingParams) -> ChatOverrides {
        ChatOverrides {
            context_length: context,
            max_output_tokens: max_out,
            params,
        }
    }

    fn no_overrides() -> ChatOverrides {
        ChatOverrides::default()
    }

    /// `field` of the effective values as the window receives them
    /// (camelCase, sampling values under `params`), and its source.
    fn seen(e: &Effective, field: &str) -> (Value, Value) {
        let v = serde_json::to_value(e).unwrap();
        let value = v
            .get(field)
            .or_else(|| v["params"].get(field))
            .cloned()
            .unwrap_or_else(|| panic!("no field {field} in {v}"));
        (value, v["source"][field].clone())
    }

    #[rstest]
    #[case::chat_wins_over_model_and_settings(
        chat(Some(4096), None, SamplingParams::default()),
        tuned_model(),
        "contextLength",
        json!(4096),
        "chat"
    )]
    #[case::model_wins_over_settings(no_overrides(), tuned_model(), "contextLength", json!(32_768), "model")]
    #[case::settings_fill_a_models_null_context(no_overrides(), bare_model(), "contextLength", json!(8192), "settings")]
    #[case::settings_fill_a_models_null_max_output(no_overrides(), bare_model(), "maxOutputTokens", json!(1024), "settings")]
    #[case::chat_max_output_over_model(
        chat(None, Some(300), SamplingParams::default()),
        tuned_model(),
        "maxOutputTokens",
        json!(300),
        "chat"
    )]
    #[case::chat_limit_over_a_models_null(
        chat(Some(2048), None, SamplingParams::default()),
        bare_model(),
        "contextLength",
        json!(2048),
        "chat"
    )]
    #[case::temperature_from_settings_when_neither_sets_it(no_overrides(), bare_model(), "temperature", json!(0.8), "settings")]
    #[case::temperature_from_model_over_settings(no_overrides(), tuned_model(), "temperature", json!(0.7), "model")]
    #[case::chat_temperature_zero_is_a_value(
        chat(None, None, SamplingParams { temperature: Some(0.0), ..Default::default() }),
        tuned_model(),
        "temperature",
        json!(0.0),
        "chat"
    )]
    #[case::chat_top_p_wins(
        chat(None, None, SamplingParams { top_p: Some(0.5), ..Default::default() }),
        tuned_model(),
        "topP",
        json!(0.5),
        "chat"
    )]
    #[case::chat_top_p_leaves_the_models_temperature(
        chat(None, None, SamplingParams { top_p: Some(0.5), ..Default::default() }),
        tuned_model(),
        "temperature",
        json!(0.7),
        "model"
    )]
    #[case::chat_top_p_leaves_the_models_top_k(
        chat(None, None, SamplingParams { top_p: Some(0.5), ..Default::default() }),
        tuned_model(),
        "topK",
        json!(40),
        "model"
    )]
    #[case::sampling_value_nobody_sets_is_left_to_the_provider(
        no_overrides(),
        tuned_model(),
        "minP",
        Value::Null,
        "provider"
    )]
    #[case::chat_seed_over_a_model_without_one(
        chat(None, None, SamplingParams { seed: Some(7), ..Default::default() }),
        bare_model(),
        "seed",
        json!(7),
        "chat"
    )]
    #[case::chat_penalty_over_a_model_without_one(
        chat(None, None, SamplingParams { repetition_penalty: Some(1.1), ..Default::default() }),
        bare_model(),
        "repetitionPenalty",
        json!(1.1),
        "chat"
    )]
    fn precedence(
        #[case] overrides: ChatOverrides,
        #[case] model: AiModel,
        #[case] field: &str,
        #[case] value: Value,
        #[case] source: &str,
    ) {
        let e = resolve(&overrides, &model, &settings());
        assert_eq!(seen(&e, field), (value, json!(source)), "{e:?}");
    }

    #[test]
    fn a_chat_without_a_model_takes_its_overrides_then_settings() {
        let e = resolve_without_model(
            &chat(Some(4096), None, SamplingParams::default()),
            &settings(),
        );
        assert_eq!(
            (e.context_length, e.source.context_length),
            (4096, Source::Chat)
        );
        assert_eq!(
            (e.max_output_tokens, e.source.max_output_tokens),
            (1024, Source::Settings)
        );
        assert_eq!(e.params.top_p, None);
    }

    /// The shape "Show prompt" reads: pinned, so a renamed field is seen.
    #[test]
    fn effective_values_serialise_with_their_sources() {
        let e = resolve(
            &chat(None, Some(512), SamplingParams::default()),
            &tuned_model(),
            &settings(),
        );
        assert_eq!(
            serde_json::to_value(e).unwrap(),
            json!({
                "contextLength": 32_768,
                "maxOutputTokens": 512,
                "params": {
                    "temperature": 0.7, "topP": 0.9, "topK": 40, "minP": null,
                    "frequencyPenalty": null, "presencePenalty": null, "repetitionPenalty": null,
                    "seed": null
                },
                "source": {
                    "contextLength": "model", "maxOutputTokens": "chat", "temperature": "model",
                    "topP": "model", "topK": "model", "minP": "provider",
                    "frequencyPenalty": "provider", "presencePenalty": "provider",
                    "repetitionPenalty": "provider", "seed": "provider"
                }
            })
        );
    }
}
