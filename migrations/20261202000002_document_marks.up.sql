-- Where a document's pages (PDF) or sections (EPUB chapters) start in its
-- extracted text, so a re-chunk can still say which page each chunk is on
-- without the original file: {"kind": "page" | "section", "at": [[byte
-- offset, number], ...]}, or {} when the file has neither.
alter table documents add column marks text not null default '{}';
