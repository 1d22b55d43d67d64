//! The Typst `World` of one document: its main template, its data, and the files it may read.
//!
//! Templates come from the [`TemplateStore`] at `/<name>`; the document's data is the virtual file
//! `/data/document.json`; evidence files are `/data/evidence/<n>.<ext>`. These virtual paths are
//! the same for every document, because Typst interns file ids process-wide and never frees them.
//! Nothing else can be read: no other file on disk, no network, no packages.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock, RwLock};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::fonts::FontLibrary;
use crate::load::date::Date;
use crate::templates::TemplateStore;

/// The virtual path of the document's data.
pub const DATA_PATH: &str = "/data/document.json";

/// What every document of a run shares: the standard library, fonts, templates, parsed sources.
pub struct Engine {
    library: LazyHash<Library>,
    fonts: FontLibrary,
    templates: TemplateStore,
    sources: RwLock<HashMap<FileId, FileResult<Source>>>,
}

impl Engine {
    /// An engine over these fonts and templates.
    pub fn new(fonts: FontLibrary, templates: TemplateStore) -> Self {
        Self {
            library: LazyHash::new(Library::builder().build()),
            fonts,
            templates,
            sources: RwLock::new(HashMap::new()),
        }
    }

    /// The run's fonts.
    pub fn fonts(&self) -> &FontLibrary {
        &self.fonts
    }

    /// The run's templates.
    pub fn templates(&self) -> &TemplateStore {
        &self.templates
    }

    /// The file a virtual path of a template stands for, for messages.
    pub fn origin(&self, id: FileId) -> String {
        let name = id.vpath().get_without_slash();
        match self.templates.get(name) {
            Some(file) => crate::diagnostics::display_path(&file.origin),
            None => id.vpath().get_with_slash().to_string(),
        }
    }

    fn template_source(&self, id: FileId) -> FileResult<Source> {
        if let Some(cached) = self
            .sources
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
        {
            return cached.clone();
        }
        let source = self.template_bytes(id).and_then(|bytes| {
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| FileError::InvalidUtf8)?;
            Ok(Source::new(id, text))
        });
        self.sources
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, source.clone());
        source
    }

    fn template_bytes(&self, id: FileId) -> FileResult<Bytes> {
        let vpath = id.vpath();
        if *id.root() != VirtualRoot::Project {
            return Err(FileError::Other(Some(
                "shenbao 不下载、也不使用 Typst 包".into(),
            )));
        }
        self.templates
            .get(vpath.get_without_slash())
            .map(|file| Bytes::new(file.bytes))
            .ok_or_else(|| outside(vpath))
    }
}

fn outside(vpath: &VirtualPath) -> FileError {
    FileError::Other(Some(
        format!(
            "模板只能读取 templates/ 中的文件和本文档的数据，不能读取 {}",
            vpath.get_with_slash()
        )
        .into(),
    ))
}

/// The virtual file id of a path such as `/letter.typ`.
pub fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("built-in virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// One document to compile: which template, with which data.
pub struct DocumentWorld<'a> {
    engine: &'a Engine,
    main: FileId,
    data: Bytes,
    evidence: Arc<Vec<PathBuf>>,
    /// Each evidence file's bytes, read on Typst's first request (a PDF's pages are placed one
    /// by one, each asking for the file).
    read: Vec<OnceLock<FileResult<Bytes>>>,
    today: Date,
}

impl<'a> DocumentWorld<'a> {
    /// A document laid out by template `main` (such as `letter.typ`) over `data` (JSON).
    pub fn new(engine: &'a Engine, main: &str, data: Vec<u8>, today: Date) -> Self {
        Self {
            engine,
            main: file_id(&format!("/{main}")),
            data: Bytes::new(data),
            evidence: Arc::new(Vec::new()),
            read: Vec::new(),
            today,
        }
    }

    /// Makes the evidence files readable as `/data/evidence/<n>.<ext>`, in this order from 1.
    pub fn with_evidence(mut self, files: Vec<PathBuf>) -> Self {
        self.read = files.iter().map(|_| OnceLock::new()).collect();
        self.evidence = Arc::new(files);
        self
    }

    /// The engine this document runs on.
    pub fn engine(&self) -> &Engine {
        self.engine
    }

    /// The bytes of `/data/evidence/<name>`, read once per document.
    fn evidence_bytes(&self, name: &str) -> Option<FileResult<Bytes>> {
        let stem = name.split('.').next()?;
        let index = stem.parse::<usize>().ok()?.checked_sub(1)?;
        let real = self.evidence.get(index)?;
        let read = self.read.get(index)?.get_or_init(|| {
            std::fs::read(real)
                .map(Bytes::new)
                .map_err(|e| FileError::from_io(e, real))
        });
        Some(read.clone())
    }
}

impl World for DocumentWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.engine.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id.vpath().get_with_slash().starts_with("/data/") {
            return Err(FileError::NotSource);
        }
        self.engine.template_source(id)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let path = id.vpath().get_with_slash();
        if path == DATA_PATH {
            return Ok(self.data.clone());
        }
        if let Some(name) = path.strip_prefix("/data/evidence/") {
            return self
                .evidence_bytes(name)
                .unwrap_or_else(|| Err(outside(id.vpath())));
        }
        self.engine.template_bytes(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Datetime::from_ymd(
            self.today.year,
            self.today.month as u8,
            self.today.day as u8,
        )
    }
}
