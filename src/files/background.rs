//! Outputs written off the rendering threads. Writing a file durably (a temporary file, synced,
//! then renamed) waits for the disk; done one after another this was most of the time a run spent
//! outside Typst. Each write now runs on a thread of its own while rendering goes on, still synced
//! before its rename, and an applicant's manifest is written only once all of its files have
//! settled ([`BackgroundWrites::settle`]), so a manifest never lists a file that is not on disk.

use std::path::PathBuf;
use std::sync::Mutex;
use std::thread::JoinHandle;

use super::write_atomically;
use crate::diagnostics::Diagnostic;

/// The writes of one output folder that may still be running.
#[derive(Debug, Default)]
pub struct BackgroundWrites {
    running: Mutex<Vec<JoinHandle<Result<(), Diagnostic>>>>,
}

impl BackgroundWrites {
    /// Starts writing `bytes` to `path` atomically and durably.
    pub fn start(&self, path: PathBuf, bytes: Vec<u8>) -> Result<(), Diagnostic> {
        let write = move || write_atomically(&path, &bytes);
        let handle = std::thread::Builder::new()
            .name("shenbao-write".into())
            .spawn(write)
            .map_err(|e| Diagnostic::error(format!("无法启动写文件的线程（{e}）")))?;
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(handle);
        Ok(())
    }

    /// Waits for every write started so far; the first problem, if any.
    pub fn settle(&self) -> Result<(), Diagnostic> {
        let running = std::mem::take(
            &mut *self
                .running
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        let mut first = Ok(());
        for handle in running {
            let result = handle
                .join()
                .unwrap_or_else(|_| Err(Diagnostic::error("写文件的线程意外中止")));
            if first.is_ok() {
                first = result;
            }
        }
        first
    }
}

impl Drop for BackgroundWrites {
    /// A folder given up (an error elsewhere, an interrupted run) still lets its writes finish,
    /// so no temporary file is left behind by this process.
    fn drop(&mut self) {
        let _ = self.settle();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settle_waits_for_every_write_and_reports_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let writes = BackgroundWrites::default();
        for i in 0..8 {
            writes
                .start(dir.path().join(format!("{i}.txt")), vec![b'x'; 1000 * i])
                .unwrap();
        }
        writes.settle().unwrap();
        for i in 0..8 {
            let bytes = std::fs::read(dir.path().join(format!("{i}.txt"))).unwrap();
            assert_eq!(bytes.len(), 1000 * i);
        }
        let blocked = dir.path().join("0.txt").join("below-a-file.txt");
        writes.start(blocked, b"x".to_vec()).unwrap();
        let problem = writes.settle().unwrap_err();
        assert!(problem.message.contains("无法写入输出文件"), "{problem:?}");
    }
}
