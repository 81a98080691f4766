-- Reverts 20261202000002_document_marks.
alter table documents drop column marks;
