//! Instruct templates: how a text-completion model expects a conversation
//! written out (ChatML, Llama 3, Mistral, Gemma, Alpaca, Vicuna, Command R,
//! Phi-3), and the strings that mean its turn is over. They are data: the
//! same JSON object a template of type "instruct" holds in the library
//! (`services::template`), so a person can edit one or add their own; the
//! built-in ones here are used when the library has none for a model.
//!
//! A prompt is `prefix`, then each message between its role's prefix and
//! suffix, then the assistant's prefix, open for the reply. When the last
//! message is the assistant's own (a "continue"), it is left open instead.

use serde::{Deserialize, Serialize};

use super::PromptMessage;
use crate::models::MessageRole;

/// One instruct format.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Instruct {
    pub name: String,
    /// Written once at the start (a BOS text, for example).
    pub prefix: String,
    pub system_prefix: String,
    pub system_suffix: String,
    pub user_prefix: String,
    pub user_suffix: String,
    pub assistant_prefix: String,
    pub assistant_suffix: String,
    /// The reply ends where one of these would begin.
    pub stop: Vec<String>,
}

fn format(name: &str, seq: [&str; 7], stop: &[&str]) -> Instruct {
    let [prefix, sp, ss, up, us, ap, asuf] = seq;
    Instruct {
        name: name.into(),
        prefix: prefix.into(),
        system_prefix: sp.into(),
        system_suffix: ss.into(),
        user_prefix: up.into(),
        user_suffix: us.into(),
        assistant_prefix: ap.into(),
        assistant_suffix: asuf.into(),
        stop: stop.iter().map(|s| (*s).to_string()).collect(),
    }
}

/// The built-in formats, by name.
pub fn builtin() -> Vec<Instruct> {
    vec![
        format(
            "ChatML",
            [
                "",
                "<|im_start|>system\n",
                "<|im_end|>\n",
                "<|im_start|>user\n",
                "<|im_end|>\n",
                "<|im_start|>assistant\n",
                "<|im_end|>\n",
            ],
            &["<|im_end|>", "<|im_start|>"],
        ),
        format(
            "Llama 3",
            [
                "<|begin_of_text|>",
                "<|start_header_id|>system<|end_header_id|>\n\n",
                "<|eot_id|>",
                "<|start_header_id|>user<|end_header_id|>\n\n",
                "<|eot_id|>",
                "<|start_header_id|>assistant<|end_header_id|>\n\n",
                "<|eot_id|>",
            ],
            &["<|eot_id|>", "<|start_header_id|>"],
        ),
        format(
            "Mistral",
            [
                "<s>", "[INST] ", " [/INST]", "[INST] ", " [/INST]", "", "</s>",
            ],
            &["</s>", "[INST]"],
        ),
        format(
            "Gemma",
            [
                "<bos>",
                "<start_of_turn>user\n",
                "<end_of_turn>\n",
                "<start_of_turn>user\n",
                "<end_of_turn>\n",
                "<start_of_turn>model\n",
                "<end_of_turn>\n",
            ],
            &["<end_of_turn>", "<start_of_turn>"],
        ),
        format(
            "Alpaca",
            [
                "",
                "",
                "\n\n",
                "### Instruction:\n",
                "\n\n",
                "### Response:\n",
                "\n\n",
            ],
            &["### Instruction:", "### Response:"],
        ),
        format(
            "Vicuna",
            ["", "", "\n\n", "USER: ", "\n", "ASSISTANT: ", "</s>\n"],
            &["USER:", "</s>"],
        ),
        format(
            "Command R",
            [
                "<BOS_TOKEN>",
                "<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>",
                "<|END_OF_TURN_TOKEN|>",
                "<|START_OF_TURN_TOKEN|><|USER_TOKEN|>",
                "<|END_OF_TURN_TOKEN|>",
                "<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>",
                "<|END_OF_TURN_TOKEN|>",
            ],
            &["<|END_OF_TURN_TOKEN|>"],
        ),
        format(
            "Phi-3",
            [
                "",
                "<|system|>\n",
                "<|end|>\n",
                "<|user|>\n",
                "<|end|>\n",
                "<|assistant|>\n",
                "<|end|>\n",
            ],
            &["<|end|>", "<|user|>"],
        ),
    ]
}

/// The built-in format a model's name suggests, ChatML when none does.
pub fn for_model(model: &str) -> Instruct {
    let m = model.to_ascii_lowercase();
    let name = if m.contains("llama-3") || m.contains("llama3") || m.contains("llama_3") {
        "Llama 3"
    } else if m.contains("mistral") || m.contains("mixtral") {
        "Mistral"
    } else if m.contains("gemma") {
        "Gemma"
    } else if m.contains("command-r") || m.contains("c4ai") {
        "Command R"
    } else if m.contains("phi-3") || m.contains("phi3") {
        "Phi-3"
    } else if m.contains("alpaca") {
        "Alpaca"
    } else if m.contains("vicuna") {
        "Vicuna"
    } else {
        "ChatML"
    };
    builtin()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_default()
}

impl Instruct {
    /// The prompt text for `messages`, ending where the reply begins.
    pub fn render(&self, messages: &[PromptMessage]) -> String {
        let mut out = self.prefix.clone();
        let last = messages.len().saturating_sub(1);
        for (i, m) in messages.iter().enumerate() {
            let (pre, suf) = match m.role {
                MessageRole::System => (&self.system_prefix, &self.system_suffix),
                MessageRole::User => (&self.user_prefix, &self.user_suffix),
                MessageRole::Assistant => (&self.assistant_prefix, &self.assistant_suffix),
            };
            out.push_str(pre);
            out.push_str(&m.content);
            if i == last && m.role == MessageRole::Assistant {
                // A reply being continued stays open.
                return out;
            }
            out.push_str(suf);
        }
        out.push_str(&self.assistant_prefix);
        out
    }

    /// The stop strings, without blanks.
    pub fn stops(&self) -> Vec<String> {
        self.stop
            .iter()
            .filter(|s| !s.trim().is_empty())
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(role: MessageRole, content: &str) -> PromptMessage {
        PromptMessage {
            role,
            content: content.into(),
        }
    }

    #[test]
    fn a_conversation_is_written_out_in_the_models_format_and_left_open() {
        let said = [
            msg(MessageRole::System, "Be Mira."),
            msg(MessageRole::User, "Hi"),
            msg(MessageRole::Assistant, "Hello."),
            msg(MessageRole::User, "Where are we?"),
        ];
        let chatml = for_model("some-model.Q4_K_M.gguf");
        assert_eq!(
            chatml.render(&said),
            "<|im_start|>system\nBe Mira.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nWhere are we?<|im_end|>\n<|im_start|>assistant\n"
        );
        let llama = for_model("Meta-Llama-3-8B-Instruct");
        assert!(llama
            .render(&said)
            .starts_with("<|begin_of_text|><|start_header_id|>system"));
        assert!(llama
            .render(&said)
            .ends_with("<|start_header_id|>assistant<|end_header_id|>\n\n"));
        assert_eq!(
            for_model("Mistral-7B-Instruct-v0.3").render(&said[1..2]),
            "<s>[INST] Hi [/INST]"
        );
        assert_eq!(
            for_model("alpaca-7b").render(&said[1..3]),
            "### Instruction:\nHi\n\n### Response:\nHello.",
            "a continued reply stays open"
        );
    }

    #[test]
    fn every_builtin_names_its_stops_and_reads_back_from_its_json() {
        for f in builtin() {
            assert!(!f.stops().is_empty(), "{}", f.name);
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(serde_json::from_str::<Instruct>(&json).unwrap(), f);
        }
        // A template in the library may give only some sequences.
        let partial: Instruct =
            serde_json::from_str(r#"{"user_prefix":"> ","stop":["> "]}"#).unwrap();
        assert_eq!(partial.render(&[msg(MessageRole::User, "hi")]), "> hi");
    }
}
