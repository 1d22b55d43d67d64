//! Zip files (`.xlsx`, `.docx`, `.zip`) with the same bytes on every system. A zip entry records
//! the system that made it ("version made by", high byte: 0 = MS-DOS/FAT, 3 = Unix), and the zip
//! crate writes the build machine's unless told otherwise. Our own writers set it to Unix;
//! [`unix_host`] rewrites it in an archive written by a library that does not let us choose.

/// The "made by" host of every entry: Unix (3), as the Linux build writes it.
pub const HOST: zip::System = zip::System::Unix;

const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL_DIRECTORY: u32 = 0x0605_4b50;
const END_RECORD_LEN: usize = 22;
const CENTRAL_HEADER_LEN: usize = 46;

/// `archive` with the host of every central directory entry set to [`HOST`]. Only the host byte
/// changes: the external attributes of a Windows-made entry without DOS flags (what the libraries
/// write for plain files) already read the same under Unix. An archive this does not understand
/// (no end record, zip64) is returned unchanged.
pub fn unix_host(mut archive: Vec<u8>) -> Vec<u8> {
    let Some((mut at, entries)) = central_directory(&archive) else {
        return archive;
    };
    for _ in 0..entries {
        if at + CENTRAL_HEADER_LEN > archive.len() || u32_at(&archive, at) != CENTRAL_HEADER {
            break;
        }
        archive[at + 5] = HOST as u8;
        let variable = usize::from(u16_at(&archive, at + 28))
            + usize::from(u16_at(&archive, at + 30))
            + usize::from(u16_at(&archive, at + 32));
        at += CENTRAL_HEADER_LEN + variable;
    }
    archive
}

/// The offset of the central directory and its number of entries, from the end record (found
/// from the end, behind a comment of up to 65,535 bytes).
fn central_directory(archive: &[u8]) -> Option<(usize, u16)> {
    let last = archive.len().checked_sub(END_RECORD_LEN)?;
    let first = last.saturating_sub(usize::from(u16::MAX));
    let end = (first..=last)
        .rev()
        .find(|&i| u32_at(archive, i) == END_OF_CENTRAL_DIRECTORY)?;
    let offset = u32_at(archive, end + 16);
    (offset != u32::MAX).then(|| (offset as usize, u16_at(archive, end + 10)))
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn archive(host: zip::System) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o600)
            .system(host);
        for (name, text) in [("[Content_Types].xml", "<a/>"), ("xl/工作簿.xml", "<b/>")] {
            writer.start_file(name, options).unwrap();
            writer.write_all(text.as_bytes()).unwrap();
        }
        writer.set_comment("comment").unwrap();
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn an_archive_made_on_windows_gets_the_bytes_of_one_made_on_unix() {
        let windows = archive(zip::System::Dos);
        let unix = archive(zip::System::Unix);
        assert_ne!(windows, unix);
        assert_eq!(unix_host(windows), unix);
    }

    #[test]
    fn the_rewritten_archive_still_reads_with_unix_entries() {
        let rewritten = unix_host(archive(zip::System::Dos));
        let mut read = zip::ZipArchive::new(std::io::Cursor::new(rewritten)).unwrap();
        for i in 0..read.len() {
            let entry = read.by_index(i).unwrap();
            assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o600));
        }
        assert_eq!(read.by_name("xl/工作簿.xml").unwrap().size(), 4);
    }

    #[test]
    fn what_is_not_a_zip_is_left_alone() {
        assert_eq!(unix_host(b"PK no zip".to_vec()), b"PK no zip".to_vec());
    }
}
