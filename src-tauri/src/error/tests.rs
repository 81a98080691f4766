//! Tests of `error.rs`.
use super::*;

#[test]
fn serializes_with_error_type_and_details() {
    let err = AppError::validation("name", "name must not be empty");
    let value = serde_json::to_value(&err).unwrap();
    assert_eq!(
        value,
        json!({"error": "name must not be empty", "type": "ValidationError", "details": {"field": "name"}})
    );
}

#[test]
fn worded_errors_carry_their_code_and_values() {
    let err = AppError::validation("name", "name is required")
        .worded("required", json!({ "field": "name" }));
    let value = serde_json::to_value(&err).unwrap();
    assert_eq!(value["code"], "required");
    assert_eq!(value["values"], json!({ "field": "name" }));
    assert_eq!(value["error"], "name is required");
    let value = serde_json::to_value(AppError::not_found("character", "x")).unwrap();
    assert_eq!(value["code"], "not_found");
    assert_eq!(value["values"]["entity"], "character");
    let value = serde_json::to_value(AppError::business("no")).unwrap();
    assert!(value.get("code").is_none());
    let err = AppError::business("restore it first").worded("in_trash", json!({}));
    let value = serde_json::to_value(&err).unwrap();
    assert_eq!(value["code"], "in_trash");
    assert_eq!(value["error"], "restore it first");
    assert_eq!(value["type"], "BusinessRuleError");
    let err = AppError::internal("the disk is gone")
        .worded("gone", json!({}))
        .context("save the file");
    assert_eq!(err.to_string(), "could not save the file: the disk is gone");
    assert_eq!(err.words().map(|w| w.code), Some("gone"));
}

#[test]
fn field_names_come_from_constraints() {
    assert_eq!(field_of("ck_characters_name"), "name");
    assert_eq!(field_of("ck_ai_models_context_length"), "context_length");
    assert_eq!(field_of("providers.name"), "name");
}

#[test]
fn context_prefixes_database_messages_only() {
    let err = AppError::database("disk_full", "the disk is full").context("save the character");
    assert_eq!(
        err.to_string(),
        "could not save the character: the disk is full"
    );
    let err = AppError::validation("name", "too long").context("save the character");
    assert_eq!(err.to_string(), "too long");
}

#[test]
fn a_file_refused_carries_its_cause_code_and_values_for_the_window() {
    let cause = Cause::new("its PNG data ends after 12 bytes")
        .worded("png_truncated", json!({ "bytes": 12 }));
    let err = AppError::file_refused("card.png", &cause);
    assert_eq!(
        err.to_string(),
        "card.png: its PNG data ends after 12 bytes"
    );
    let value = serde_json::to_value(&err).unwrap();
    assert_eq!(value["type"], "ValidationError");
    assert_eq!(value["code"], "file_refused");
    assert_eq!(value["values"]["file"], "card.png");
    assert_eq!(value["values"]["cause_code"], "png_truncated");
    assert_eq!(value["values"]["bytes"], 12);
    assert_eq!(value["values"]["cause"], "its PNG data ends after 12 bytes");
    // A cause without a code still says itself in English.
    let plain = AppError::file_refused("a.txt", &Cause::new("it is empty"));
    let value = serde_json::to_value(&plain).unwrap();
    assert!(value["values"].get("cause_code").is_none());
    assert_eq!(value["values"]["cause"], "it is empty");
}

#[test]
fn an_error_becomes_a_cause_with_its_words_and_a_cause_serializes_for_the_window() {
    let err = AppError::validation("name", "the name is empty")
        .worded("required", json!({ "field": "name" }));
    let cause = err.as_cause();
    assert_eq!(cause.message, "the name is empty");
    let value = serde_json::to_value(&cause).unwrap();
    assert_eq!(
        value,
        json!({ "error": "the name is empty", "code": "required", "values": { "field": "name" } })
    );
    // The values of the cause lose to the outer message's own.
    let inside = cause.inside(json!({ "field": "file", "name": "x" }));
    assert_eq!(inside["field"], "file");
    assert_eq!(inside["cause_code"], "required");
}
