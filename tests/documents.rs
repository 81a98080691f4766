//! Documents through the services against real SQLite: what adding one
//! writes (chunks and their full-text rows), the three scopes a chat sees,
//! the per-chat off switch, rename, re-chunk, the trash, duplicates; the
//! readers of PDF, EPUB and HTML; hostile files refused in words, quickly,
//! with nothing written; and `parley import` of documents.

mod common;
#[path = "common/doc_files.rs"]
mod doc_files;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use parley::error::AppError;
use parley::models::{DocumentPlace, DocumentSummary, Id};
use parley::services::document::{self as documents, Chunking, Limits};
use sqlx::SqlitePool;

const LIBRARY: DocumentPlace = DocumentPlace::Library;

/// A text of `n` numbered sentences about a zebra (every 10th one).
fn story(n: usize) -> String {
    (0..n)
        .map(|i| {
            let animal = if i % 10 == 0 { "zebra" } else { "horse" };
            format!("Line {i} tells of a {animal} in the field.")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

async fn add(pool: &SqlitePool, place: DocumentPlace, name: &str, bytes: &[u8]) -> DocumentSummary {
    documents::add(pool, place, name, bytes.to_vec(), None, &Limits::default())
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

async fn count(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Chunks whose full-text row matches `word`.
async fn fts_hits(pool: &SqlitePool, word: &str) -> i64 {
    sqlx::query_scalar(
        "select count(*) from document_chunks_fts where document_chunks_fts match ?1",
    )
    .bind(word)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// The index agrees with the chunks (FTS5's own check; an error if not).
async fn index_is_sound(pool: &SqlitePool) {
    sqlx::query("insert into document_chunks_fts (document_chunks_fts) values ('integrity-check')")
        .execute(pool)
        .await
        .expect("the chunks' index matches their text");
}

#[tokio::test]
async fn adding_a_text_writes_its_chunks_and_their_index() {
    let pool = common::pool().await;
    let text = story(200);
    let doc = add(&pool, LIBRARY, "notes/story.txt", text.as_bytes()).await;
    assert_eq!(doc.name, "story.txt");
    assert_eq!(
        (doc.chunk_size, doc.chunk_overlap),
        (300, 40),
        "the default chunking"
    );
    assert_eq!(doc.byte_size, text.len() as i64);
    assert!(doc.chunk_count > 5, "{doc:?}");
    let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "select chunk_index, token_count, metadata, text from document_chunks
          where document_id = ?1 order by chunk_index",
    )
    .bind(doc.id)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(rows.len() as i64, doc.chunk_count);
    for (i, (index, tokens, metadata, chunk)) in rows.iter().enumerate() {
        assert_eq!(*index, i as i64);
        assert!(*tokens <= 300 && *tokens == parley::services::tokens::estimate(chunk));
        let m: serde_json::Value = serde_json::from_str(metadata).unwrap();
        let (s, e) = (
            m["start"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[s..e], chunk, "a chunk is its range of the text");
    }
    let zebra_chunks = rows.iter().filter(|r| r.3.contains("zebra")).count() as i64;
    assert_eq!(fts_hits(&pool, "zebra").await, zebra_chunks);
    index_is_sound(&pool).await;
    let viewed = documents::get(&pool, doc.id).await.unwrap();
    assert_eq!(viewed.content, text);
}

#[tokio::test]
async fn a_chat_sees_its_own_its_characters_and_the_librarys_documents() {
    let pool = common::pool().await;
    let mira = common::new_character(&pool, "Mira").await;
    let other = common::new_character(&pool, "Otto").await;
    let chat = common::new_chat(&pool, Some(mira)).await;
    let other_chat = common::new_chat(&pool, Some(other)).await;
    let own = add(
        &pool,
        DocumentPlace::Chat(chat),
        "own.md",
        b"# Own\n\nMine.",
    )
    .await;
    let hers = add(
        &pool,
        DocumentPlace::Character(mira),
        "hers.txt",
        b"Mira's notes.",
    )
    .await;
    let shared = add(&pool, LIBRARY, "shared.txt", b"For everyone.").await;
    add(
        &pool,
        DocumentPlace::Chat(other_chat),
        "elsewhere.txt",
        b"Not here.",
    )
    .await;
    add(
        &pool,
        DocumentPlace::Character(other),
        "his.txt",
        b"Otto's notes.",
    )
    .await;

    let seen = documents::for_chat(&pool, chat).await.unwrap();
    let ids: Vec<Id> = seen.iter().map(|d| d.document.id).collect();
    assert_eq!(
        ids,
        vec![own.id, hers.id, shared.id],
        "chat, character, library"
    );
    assert!(seen.iter().all(|d| d.enabled));
    let scopes: Vec<&str> = seen.iter().map(|d| d.document.scope.as_str()).collect();
    assert_eq!(scopes, ["chat", "character", "library"]);

    // The character's tab and the library screen list their own.
    let of_mira = documents::list(&pool, DocumentPlace::Character(mira), false)
        .await
        .unwrap();
    assert_eq!(
        of_mira.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![hers.id]
    );
    let library = documents::list(&pool, LIBRARY, false).await.unwrap();
    assert_eq!(
        library.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![shared.id]
    );

    // A document that is not the chat's cannot be switched in it.
    let err = documents::set_enabled(&pool, other_chat, hers.id, false)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Validation { .. }), "{err:?}");
    // A chat or character that is not there takes no document.
    let err = documents::add(
        &pool,
        DocumentPlace::Chat(parley::models::new_id()),
        "a.txt",
        b"x".to_vec(),
        None,
        &Limits::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn a_chat_turns_a_document_off_for_itself_only() {
    let pool = common::pool().await;
    let (a, b) = (
        common::new_chat(&pool, None).await,
        common::new_chat(&pool, None).await,
    );
    let doc = add(&pool, LIBRARY, "shared.txt", b"Shared words.").await;
    documents::set_enabled(&pool, a, doc.id, false)
        .await
        .unwrap();
    let enabled = |list: Vec<parley::models::ChatDocument>| list[0].enabled;
    assert!(!enabled(documents::for_chat(&pool, a).await.unwrap()));
    assert!(
        enabled(documents::for_chat(&pool, b).await.unwrap()),
        "the other chat keeps it"
    );
    documents::set_enabled(&pool, a, doc.id, false)
        .await
        .unwrap(); // twice is fine
    documents::set_enabled(&pool, a, doc.id, true)
        .await
        .unwrap();
    assert!(enabled(documents::for_chat(&pool, a).await.unwrap()));
}

#[tokio::test]
async fn rename_keeps_the_text_and_refuses_empty_names() {
    let pool = common::pool().await;
    let doc = add(&pool, LIBRARY, "draft.txt", b"Some text.").await;
    let renamed = documents::rename(&pool, doc.id, "  The Final Notes ")
        .await
        .unwrap();
    assert_eq!(renamed.name, "The Final Notes");
    assert_eq!(
        documents::get(&pool, doc.id).await.unwrap().content,
        "Some text."
    );
    for bad in ["", "   ", &"x".repeat(301)] {
        let err = documents::rename(&pool, doc.id, bad).await.unwrap_err();
        assert!(
            matches!(&err, AppError::Validation { field, .. } if field == "name"),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn rechunk_replaces_the_chunks_and_their_index() {
    let pool = common::pool().await;
    let doc = add(&pool, LIBRARY, "story.txt", story(300).as_bytes()).await;
    let smaller = documents::rechunk(&pool, doc.id, 60, 0).await.unwrap();
    assert_eq!((smaller.chunk_size, smaller.chunk_overlap), (60, 0));
    assert!(
        smaller.chunk_count > doc.chunk_count * 3,
        "{smaller:?} vs {doc:?}"
    );
    assert_eq!(
        count(&pool, "select count(*) from document_chunks").await,
        smaller.chunk_count
    );
    assert!(count(&pool, "select max(token_count) from document_chunks").await <= 60);
    // No chunk of the old split is left (each is within 60 tokens), and
    // the index follows.
    let zebra = count(
        &pool,
        "select count(*) from document_chunks where text like '%zebra%'",
    )
    .await;
    assert_eq!(fts_hits(&pool, "zebra").await, zebra);
    index_is_sound(&pool).await;
    // Out of range: refused, nothing changed.
    for (size, overlap, field) in [
        (8, 0, "chunk_size"),
        (9000, 0, "chunk_size"),
        (100, 100, "chunk_overlap"),
    ] {
        let err = documents::rechunk(&pool, doc.id, size, overlap)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, AppError::Validation { field: f, .. } if f == field),
            "{err:?}"
        );
    }
    assert_eq!(
        count(&pool, "select count(*) from document_chunks").await,
        smaller.chunk_count
    );
}

#[tokio::test]
async fn delete_restore_and_purge_follow_the_trash() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    let doc = add(
        &pool,
        DocumentPlace::Chat(chat),
        "story.txt",
        story(100).as_bytes(),
    )
    .await;
    documents::set_enabled(&pool, chat, doc.id, false)
        .await
        .unwrap();
    let err = documents::purge(&pool, doc.id).await.unwrap_err();
    assert!(
        matches!(err, AppError::BusinessRule { .. }),
        "only from the trash: {err:?}"
    );

    documents::delete(&pool, doc.id).await.unwrap();
    assert!(documents::for_chat(&pool, chat).await.unwrap().is_empty());
    let trash = documents::trash(&pool).await.unwrap();
    assert_eq!(trash.iter().map(|d| d.id).collect::<Vec<_>>(), vec![doc.id]);
    assert!(matches!(
        documents::rename(&pool, doc.id, "x").await,
        Err(AppError::BusinessRule { .. })
    ));
    assert!(matches!(
        documents::rechunk(&pool, doc.id, 100, 0).await,
        Err(AppError::BusinessRule { .. })
    ));

    let back = documents::restore(&pool, doc.id).await.unwrap();
    assert!(back.deleted_at.is_none());
    assert_eq!(documents::for_chat(&pool, chat).await.unwrap().len(), 1);

    documents::delete(&pool, doc.id).await.unwrap();
    documents::purge(&pool, doc.id).await.unwrap();
    for table in ["documents", "document_chunks", "chat_documents_off"] {
        assert_eq!(
            count(&pool, &format!("select count(*) from {table}")).await,
            0,
            "{table}"
        );
    }
    assert_eq!(fts_hits(&pool, "zebra").await, 0);
    index_is_sound(&pool).await;
    assert!(matches!(
        documents::get(&pool, doc.id).await,
        Err(AppError::NotFound { .. })
    ));
}

#[tokio::test]
async fn the_same_file_twice_in_one_place_is_a_conflict() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    let first = add(&pool, LIBRARY, "a.txt", b"Same bytes.").await;
    let err = documents::add(
        &pool,
        LIBRARY,
        "b.txt",
        b"Same bytes.".to_vec(),
        None,
        &Limits::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(&err, AppError::Conflict { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("already here as \u{201c}a.txt\u{201d}"),
        "{err}"
    );
    // Another place takes it.
    add(&pool, DocumentPlace::Chat(chat), "a.txt", b"Same bytes.").await;
    // In the trash: the conflict says where it is.
    documents::delete(&pool, first.id).await.unwrap();
    let err = documents::add(
        &pool,
        LIBRARY,
        "a.txt",
        b"Same bytes.".to_vec(),
        None,
        &Limits::default(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("in the trash"), "{err}");
}

#[tokio::test]
async fn pdf_epub_html_and_markdown_give_their_text() {
    let pool = common::pool().await;
    let pdf = doc_files::pdf(&[
        &["The lighthouse keeper wrote daily."],
        &["The storm came at night."],
    ]);
    let doc = add(&pool, LIBRARY, "log.pdf", &pdf).await;
    let text = documents::get(&pool, doc.id).await.unwrap().content;
    let (a, b) = (
        text.find("lighthouse keeper").unwrap(),
        text.find("storm came").unwrap(),
    );
    assert!(a < b, "{text:?}");
    let pages: Vec<i64> = sqlx::query_scalar(
        "select json_extract(metadata, '$.page') from document_chunks where document_id = ?1",
    )
    .bind(doc.id)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(pages.first(), Some(&1), "a chunk says its page");
    // A re-chunk still knows the pages.
    documents::rechunk(&pool, doc.id, 16, 0).await.unwrap();
    let pages: Vec<i64> = sqlx::query_scalar(
        "select json_extract(metadata, '$.page') from document_chunks
          where document_id = ?1 order by chunk_index",
    )
    .bind(doc.id)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        (pages.first(), pages.last()),
        (Some(&1), Some(&2)),
        "{pages:?}"
    );

    let epub = doc_files::epub(&[
        (
            "one.xhtml",
            "<h1>Chapter One</h1><p>The fox ran.</p><script>evil()</script>",
        ),
        ("two.xhtml", "<h1>Chapter Two</h1><p>The fox slept.</p>"),
    ]);
    let doc = add(&pool, LIBRARY, "fox.epub", &epub).await;
    let text = documents::get(&pool, doc.id).await.unwrap().content;
    let (a, b) = (
        text.find("The fox ran.").unwrap(),
        text.find("The fox slept.").unwrap(),
    );
    assert!(a < b, "the spine's order: {text:?}");
    assert!(
        !text.contains("evil") && !text.contains("color"),
        "{text:?}"
    );

    let html = b"<html><head><style>b{}</style><script>steal()</script></head><body><p>Visible words.</p></body></html>";
    let doc = add(&pool, LIBRARY, "page.html", html).await;
    let text = documents::get(&pool, doc.id).await.unwrap().content;
    assert!(
        text.contains("Visible words.") && !text.contains("steal"),
        "{text:?}"
    );

    let md = "# Title\n\n**Bold** and [a link](https://e.x).\n";
    let doc = add(&pool, LIBRARY, "notes.md", md.as_bytes()).await;
    assert_eq!(
        documents::get(&pool, doc.id).await.unwrap().content,
        md,
        "Markdown is kept as it is"
    );
}

/// Adds a hostile file: refused in words that name the file and say
/// `because`, within a few seconds, and nothing at all written.
async fn refused(name: &str, bytes: Vec<u8>, limits: &Limits, because: &str) {
    let pool = common::pool().await;
    let started = Instant::now();
    let err = documents::add(&pool, LIBRARY, name, bytes, None, limits)
        .await
        .expect_err(name);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(20), "{name} took {took:?}");
    let text = err.to_string();
    assert!(
        matches!(err, AppError::Validation { .. }),
        "{name}: {err:?}"
    );
    assert!(
        text.starts_with(&format!("{name}: ")),
        "names the file: {text}"
    );
    assert!(text.contains(because), "{name}: {text}");
    for table in ["documents", "document_chunks"] {
        assert_eq!(
            count(&pool, &format!("select count(*) from {table}")).await,
            0
        );
    }
}

#[tokio::test]
async fn hostile_pdfs_are_refused_in_words() {
    let limits = Limits::default();
    let garbage =
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\nendobj\nnot a pdf at all\n%%EOF"
            .to_vec();
    refused("broken.pdf", garbage, &limits, "not a readable PDF").await;
    let mut cut = doc_files::pdf(&[&["Half of this goes."]]);
    cut.truncate(cut.len() / 3);
    refused("cut.pdf", cut, &limits, "PDF").await;
    refused(
        "locked.pdf",
        doc_files::encrypted_pdf(),
        &limits,
        "protected by a password",
    )
    .await;
    refused(
        "fake.pdf",
        b"GIF89a not a pdf".to_vec(),
        &limits,
        "it is not a PDF",
    )
    .await;
    let small = Limits {
        max_inflated_bytes: 8 << 20,
        ..Limits::default()
    };
    refused(
        "bomb.pdf",
        doc_files::pdf_bomb(64 << 20),
        &small,
        "decompression bomb",
    )
    .await;
}

#[tokio::test]
async fn hostile_epubs_are_refused_in_words() {
    let limits = Limits {
        max_entry_bytes: 2 << 20,
        max_unpacked_bytes: 5 << 20,
        ..Limits::default()
    };
    refused(
        "bomb.epub",
        doc_files::epub_bomb(64 << 20),
        &limits,
        "zip bomb",
    )
    .await;
    // The header claims 1 KB; the bytes that come out are what count.
    let mut liar = doc_files::epub_bomb(64 << 20);
    doc_files::lie_about_size(&mut liar, "OEBPS/bomb.xhtml", 1024);
    refused("liar.epub", liar, &limits, "bomb.xhtml").await;
    // Each file under the limit, together over it.
    let body = format!("<p>{}</p>", "word ".repeat(300_000));
    let chapters: Vec<(String, String)> = (0..6)
        .map(|i| (format!("c{i}.xhtml"), body.clone()))
        .collect();
    let refs: Vec<(&str, &str)> = chapters
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    refused("big.epub", doc_files::epub(&refs), &limits, "together").await;
    refused(
        "notzip.epub",
        b"PK\x03\x04 this is not a zip".to_vec(),
        &limits,
        "not a readable EPUB",
    )
    .await;
    let no_container = doc_files::zip_of(&[("mimetype".into(), b"application/epub+zip".to_vec())]);
    refused("bare.epub", no_container, &limits, "container.xml").await;
}

#[tokio::test]
async fn binary_posing_as_text_and_huge_files_are_refused_in_words() {
    let limits = Limits::default();
    let mut seed = 7u32;
    let noise: Vec<u8> = (0..20_000)
        .map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 16) as u8
        })
        .collect();
    refused("noise.txt", noise, &limits, "it is not text").await;
    let png_as_text = common::cards::png_with(&[]);
    refused("picture.md", png_as_text, &limits, "it is not text").await;
    refused(
        "card.png",
        b"\x89PNG".to_vec(),
        &limits,
        ".txt, .md, .html, .pdf or .epub",
    )
    .await;
    refused(
        "blank.txt",
        b" \n\n \t".to_vec(),
        &limits,
        "no text was found",
    )
    .await;
    let huge = vec![b'a'; 51 * 1024 * 1024];
    refused(
        "huge.txt",
        huge,
        &limits,
        "the largest document Parley takes is 50 MB",
    )
    .await;
    let small = Limits {
        max_text_bytes: 1 << 20,
        ..Limits::default()
    };
    refused(
        "long.txt",
        story(40_000).into_bytes(),
        &small,
        "more than 1 MB of text",
    )
    .await;
}

#[tokio::test]
async fn a_huge_file_on_disk_is_refused_before_it_is_read() {
    let pool = common::pool().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.txt");
    // Sparse: 6 GB that would not fit in memory, refused by its size alone.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(6 << 30)
        .unwrap();
    let started = Instant::now();
    let err = documents::add_path(&pool, LIBRARY, &path, &Limits::default())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(err.to_string().contains("the file is 6144 MB"), "{err}");
    let report = documents::add_paths(
        &pool,
        LIBRARY,
        &[dir.path().join("missing.txt"), path],
        &Limits::default(),
    )
    .await;
    assert_eq!(report.skipped.len(), 2);
    assert_eq!(report.skipped[0].reason, "there is no such file");
}

#[test]
fn chunking_checks_its_numbers() {
    assert_eq!(
        documents::validated_chunking(300, 40).unwrap(),
        Chunking {
            size: 300,
            overlap: 40
        }
    );
    assert!(documents::validated_chunking(15, 0).is_err());
    assert!(documents::validated_chunking(16, 16).is_err());
    assert!(documents::validated_chunking(100, -1).is_err());
}

fn parley(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parley"))
        .args(args)
        .env("PARLEY_DB", db)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

#[tokio::test]
async fn parley_import_adds_documents_to_the_library_a_chat_or_a_character() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("parley.db");
    let notes = dir.path().join("notes.md");
    std::fs::write(&notes, "# Notes\n\nThe key is under the mat.").unwrap();
    let book = dir.path().join("book.pdf");
    std::fs::write(&book, doc_files::pdf(&[&["A page of the book."]])).unwrap();
    let broken = dir.path().join("broken.pdf");
    std::fs::write(&broken, b"%PDF-1.4 nothing else").unwrap();

    let out = parley(&db, &["import", notes.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("added document \"notes.md\" to the library (1 chunks"),
        "{stdout}"
    );

    let (pool, _) = parley::db::open(&db).await.unwrap();
    let chat = common::new_chat(&pool, None).await;
    let mira = common::new_character(&pool, "Mira").await;
    pool.close().await;
    let chat_arg = chat.to_string();
    let out = parley(
        &db,
        &[
            "import",
            book.to_str().unwrap(),
            broken.to_str().unwrap(),
            "--chat",
            &chat_arg,
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "a refused file fails the run");
    assert!(
        stdout.contains("added document \"book.pdf\" to the chat"),
        "{stdout}"
    );
    assert!(
        stdout.contains("skipped broken.pdf: it is not a readable PDF"),
        "{stdout}"
    );
    assert!(stdout.contains("1 imported, 1 skipped"), "{stdout}");
    let out = parley(
        &db,
        &["import", notes.to_str().unwrap(), "--character", "Mira"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (pool, _) = parley::db::open(&db).await.unwrap();
    let seen = documents::for_chat(&pool, chat).await.unwrap();
    assert_eq!(seen.len(), 2, "the chat's PDF and the library's notes");
    let hers = documents::list(&pool, DocumentPlace::Character(mira), false)
        .await
        .unwrap();
    assert_eq!(hers.len(), 1);
    pool.close().await;

    // Refused, in words, while the app holds the database.
    let parley::instance::Claim::First(_guard) = parley::instance::claim(&db).unwrap() else {
        panic!("the test holds the database");
    };
    let other = dir.path().join("other.txt");
    std::fs::write(&other, "More words.").unwrap();
    let out = parley(&db, &["import", other.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Parley is open on this data folder"),
        "{stderr}"
    );
    let (pool, _) = parley::db::open(&db).await.unwrap();
    assert_eq!(
        count(&pool, "select count(*) from documents").await,
        3,
        "nothing added"
    );
}
