//! Pictures a person sets: a wide picture becomes a centred square of the
//! stored size, and what is not a usable picture (text, a decompression
//! bomb, an animation, a huge file) is refused in words with nothing stored.
//! Export keeps a card's own image byte for byte, and the import report
//! names a character an imported chat made.

mod common;

use std::io::Cursor;

use base64::Engine as _;
use image::{ImageFormat, Rgba, RgbaImage};
use parley::error::AppError;
use parley::models::UserProfileInput;
use parley::services::avatar::{self, Owner, SIDE};
use parley::services::export::{self, CardFormat};
use parley::services::{character, import, user_profile};

fn png(img: &RgbaImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

/// 300x100: red on the left third, green in the middle, blue on the right.
fn three_bands() -> Vec<u8> {
    let img = RgbaImage::from_fn(300, 100, |x, _| match x {
        0..100 => Rgba([255, 0, 0, 255]),
        100..200 => Rgba([0, 255, 0, 255]),
        _ => Rgba([0, 0, 255, 255]),
    });
    png(&img)
}

/// A real 1x1 PNG whose header claims `w` x `h` pixels (CRC fixed), the
/// shape of a decompression bomb: tiny file, huge picture.
fn claims(w: u32, h: u32) -> Vec<u8> {
    let mut bytes = png(&RgbaImage::from_pixel(1, 1, Rgba([0, 0, 0, 255])));
    bytes[16..20].copy_from_slice(&w.to_be_bytes());
    bytes[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32fast::hash(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

fn message(err: AppError) -> String {
    match err {
        AppError::Validation { field, message, .. } => {
            assert_eq!(field, "avatar");
            message
        }
        other => panic!("expected a refusal in words, got {other:?}"),
    }
}

#[test]
fn a_wide_picture_becomes_a_centred_square_of_the_stored_size() {
    let prepared = avatar::prepare(&three_bands()).unwrap();
    let img = image::load_from_memory(&prepared.png).unwrap().to_rgba8();
    assert_eq!((img.width(), img.height()), (SIDE, SIDE));
    // The centre third (green) fills the square: the sides were cropped.
    for (x, y) in [(5, 5), (SIDE / 2, SIDE / 2), (SIDE - 5, SIDE - 5)] {
        let [r, g, b, _] = img.get_pixel(x, y).0;
        assert!(g > 200 && r < 40 && b < 40, "pixel {x},{y} is {r},{g},{b}");
    }
    let thumb = image::load_from_memory(&prepared.thumbnail).unwrap();
    assert!(thumb.width() < SIDE && thumb.width() == thumb.height());
}

#[test]
fn what_is_not_a_usable_picture_is_refused_in_words() {
    let text = message(avatar::prepare(b"hello, I am a text file").unwrap_err());
    assert!(text.contains("not a picture"), "{text}");

    let bomb = message(avatar::prepare(&claims(60_000, 60_000)).unwrap_err());
    assert!(
        bomb.contains("too large") && bomb.contains("60000 x 60000"),
        "{bomb}"
    );
    // Under the side limit, over the pixel limit.
    let wide = message(avatar::prepare(&claims(8000, 8000)).unwrap_err());
    assert!(wide.contains("megapixels"), "{wide}");

    let huge = message(avatar::prepare(&vec![0u8; avatar::MAX_BYTES + 1]).unwrap_err());
    assert!(huge.contains("too large"), "{huge}");

    let mut gif = Cursor::new(Vec::new());
    {
        let mut enc = image::codecs::gif::GifEncoder::new(&mut gif);
        for c in [0u8, 255] {
            let frame = image::Frame::new(RgbaImage::from_pixel(8, 8, Rgba([c, c, c, 255])));
            enc.encode_frame(frame).unwrap();
        }
    }
    let moving = message(avatar::prepare(gif.get_ref()).unwrap_err());
    assert!(moving.contains("animated"), "{moving}");

    let mut cut = three_bands();
    cut.truncate(60);
    let damaged = message(avatar::prepare(&cut).unwrap_err());
    assert!(damaged.contains("damaged"), "{damaged}");
}

#[tokio::test]
async fn a_persona_and_a_character_keep_their_pictures_and_a_refusal_stores_nothing() {
    let pool = common::pool().await;
    let persona = user_profile::create(
        &pool,
        UserProfileInput {
            name: "Sam".into(),
            description: String::new(),
        },
    )
    .await
    .unwrap();
    let mira = common::new_character(&pool, "Mira").await;
    let b64 = base64::engine::general_purpose::STANDARD.encode(three_bands());

    avatar::set(
        &pool,
        Owner::Persona,
        persona.id,
        &format!("data:image/png;base64,{b64}"),
    )
    .await
    .unwrap();
    avatar::set(&pool, Owner::Character, mira, &b64)
        .await
        .unwrap();
    let got = avatar::get(&pool, Owner::Persona, persona.id)
        .await
        .unwrap()
        .unwrap();
    assert!(got.starts_with("data:image/png;base64,"));
    let small = avatar::small(&pool, Owner::Character, &[mira])
        .await
        .unwrap();
    assert!(small[&mira.to_string()].starts_with("data:image/png;base64,"));
    // The list's thumbnails (the sidebar) see the new picture too.
    let thumbs = character::thumbnails(&pool, &[mira]).await.unwrap();
    assert_eq!(thumbs.get(&mira.to_string()), small.get(&mira.to_string()));

    let not_image = base64::engine::general_purpose::STANDARD.encode(b"plain text");
    assert!(avatar::set(&pool, Owner::Persona, persona.id, &not_image)
        .await
        .is_err());
    assert_eq!(
        avatar::get(&pool, Owner::Persona, persona.id)
            .await
            .unwrap(),
        Some(got)
    );

    avatar::clear(&pool, Owner::Character, mira).await.unwrap();
    assert!(avatar::small(&pool, Owner::Character, &[mira])
        .await
        .unwrap()
        .is_empty());
    assert!(character::thumbnails(&pool, &[mira])
        .await
        .unwrap()
        .is_empty());
}

fn stripped(png: &[u8]) -> Vec<u8> {
    let chunks = parley::cards::png::chunks(png, 1 << 16).unwrap();
    parley::cards::png::strip_card_chunks(&chunks)
}

#[tokio::test]
async fn an_imported_card_keeps_its_own_picture_and_a_set_one_is_exported() {
    let pool = common::pool().await;
    let card = common::cards::png_card("cards/v2_full.json");
    let imported = import::import_bytes(&pool, "mira.png", card.clone())
        .await
        .unwrap();
    let out = export::card_bytes(&pool, imported.id, CardFormat::Png)
        .await
        .unwrap();
    assert_eq!(
        stripped(&out),
        stripped(&card),
        "the card's image, not re-encoded"
    );

    let b64 = base64::engine::general_purpose::STANDARD.encode(three_bands());
    avatar::set(&pool, Owner::Character, imported.id, &b64)
        .await
        .unwrap();
    let out = export::card_bytes(&pool, imported.id, CardFormat::Png)
        .await
        .unwrap();
    let img = image::load_from_memory(&out).unwrap();
    assert_eq!(
        (img.width(), img.height()),
        (SIDE, SIDE),
        "the new picture is the card's"
    );
}

#[tokio::test]
async fn the_import_report_names_the_character_an_imported_chat_made() {
    let pool = common::pool().await;
    let chat = common::cards::fixture("chats/st_modern.jsonl");
    let first = import::import_bytes(&pool, "a.jsonl", chat.clone())
        .await
        .unwrap();
    let made = first
        .created_character
        .clone()
        .expect("no Mira Vance yet: one is made");
    assert_eq!(made.name, "Mira Vance");
    let json = serde_json::to_value(&first).unwrap();
    assert_eq!(json["createdCharacter"]["name"], "Mira Vance");
    // The second chat joins that character; the report makes no claim.
    let second = import::import_bytes(&pool, "b.jsonl", chat).await.unwrap();
    assert!(second.created_character.is_none());
    assert!(serde_json::to_value(&second)
        .unwrap()
        .get("createdCharacter")
        .is_none());
}

#[tokio::test]
async fn a_dropped_file_is_read_from_its_path_and_a_folder_or_missing_file_refused() {
    let pool = common::pool().await;
    let mira = common::new_character(&pool, "Mira").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wide.png");
    std::fs::write(&file, three_bands()).unwrap();
    avatar::set_from_path(&pool, Owner::Character, mira, &file)
        .await
        .unwrap();
    assert!(avatar::get(&pool, Owner::Character, mira)
        .await
        .unwrap()
        .is_some());

    let folder = message(
        avatar::set_from_path(&pool, Owner::Character, mira, dir.path())
            .await
            .unwrap_err(),
    );
    assert!(folder.contains("not a folder"), "{folder}");
    let missing = message(
        avatar::set_from_path(&pool, Owner::Character, mira, &dir.path().join("gone.png"))
            .await
            .unwrap_err(),
    );
    assert!(missing.contains("could not be read"), "{missing}");
    // A character that is not there is said so, nothing written.
    let nobody = avatar::set_from_path(&pool, Owner::Persona, mira, &file)
        .await
        .unwrap_err();
    assert!(matches!(nobody, AppError::NotFound { .. }), "{nobody:?}");
}
