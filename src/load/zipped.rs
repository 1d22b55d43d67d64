//! Zip-based inputs (.xlsx, .ods, .docx) are read under a cap on their entry count and on what
//! they unpack to, so that a small file that inflates to gigabytes (a zip bomb) is refused before
//! a reader hands it to a parser. Both the sizes the central directory declares and the bytes that
//! actually come out are counted, since a hostile file can lie in its directory.

use std::io::{Cursor, Read};

use super::limits::{Limits, megabytes};

/// Why a zip-based file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZipProblem {
    /// More entries than the cap (found, cap).
    TooManyEntries(usize, usize),
    /// Unpacks to more than the cap, in bytes.
    TooLarge(u64),
}

impl ZipProblem {
    /// What is wrong, in Chinese.
    pub fn describe(&self) -> String {
        match self {
            ZipProblem::TooManyEntries(found, cap) => {
                format!("内含 {found} 个文件，超过上限 {cap} 个")
            }
            ZipProblem::TooLarge(cap) => {
                format!("解压后超过上限 {}（疑似压缩炸弹）", megabytes(*cap))
            }
        }
    }
}

/// Whether `bytes` look like a zip archive.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Checks a zip archive's entry count and unpacked size against `limits`. A file that is not a
/// readable zip passes: the reader that follows reports it as damaged in its own words.
pub fn check(bytes: &[u8], limits: &Limits) -> Result<(), ZipProblem> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    if archive.len() > limits.zip_entries {
        return Err(ZipProblem::TooManyEntries(
            archive.len(),
            limits.zip_entries,
        ));
    }
    let cap = limits.unpacked_bytes();
    let declared = archive.decompressed_size().unwrap_or(0);
    if declared > u128::from(cap) {
        return Err(ZipProblem::TooLarge(cap));
    }
    let mut total = 0u64;
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index(index) else {
            return Ok(());
        };
        let left = cap - total;
        let Ok(read) = std::io::copy(&mut entry.take(left + 1), &mut std::io::sink()) else {
            return Ok(());
        };
        if read > left {
            return Err(ZipProblem::TooLarge(cap));
        }
        total += read;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn limits() -> Limits {
        let mut limits = Limits::built_in().unwrap();
        limits.unpacked_mb = 1;
        limits.zip_entries = 3;
        limits
    }

    fn archive(entries: &[(&str, usize)]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, size) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(&vec![b'a'; *size]).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    /// Makes every header of `zip` declare `size` bytes unpacked, as a hostile file would.
    fn declare_sizes(zip: &mut [u8], size: u32) {
        for at in 0..zip.len() - 4 {
            let field = match &zip[at..at + 4] {
                b"PK\x03\x04" => at + 22,
                b"PK\x01\x02" => at + 24,
                _ => continue,
            };
            zip[field..field + 4].copy_from_slice(&size.to_le_bytes());
        }
    }

    #[test]
    fn small_archives_pass() {
        assert_eq!(
            check(&archive(&[("a", 1000), ("b", 1000)]), &limits()),
            Ok(())
        );
        assert_eq!(check(b"not a zip", &limits()), Ok(()));
    }

    #[test]
    fn bombs_and_crowds_are_refused() {
        let bomb = archive(&[("a", 2 * 1024 * 1024)]);
        assert!(bomb.len() < 20_000);
        assert_eq!(
            check(&bomb, &limits()),
            Err(ZipProblem::TooLarge(1024 * 1024))
        );
        // A directory that lies about the sizes does not open the bomb either: the zip reader
        // (which calamine and the Word reader use too) stops at the declared size.
        let mut liar = bomb.clone();
        declare_sizes(&mut liar, 10);
        let _ = check(&liar, &limits());
        let mut opened = zip::ZipArchive::new(Cursor::new(&liar[..])).unwrap();
        let inflated = opened
            .by_index(0)
            .ok()
            .and_then(|mut entry| std::io::copy(&mut entry, &mut std::io::sink()).ok())
            .unwrap_or(0);
        assert!(inflated <= 1024 * 1024, "{inflated}");
        let crowd = archive(&[("a", 1), ("b", 1), ("c", 1), ("d", 1)]);
        assert_eq!(
            check(&crowd, &limits()),
            Err(ZipProblem::TooManyEntries(4, 3))
        );
    }
}
