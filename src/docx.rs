//! Word files (DOCX) of materials 2–4, written from the document model.
