//! The email bundle of an applicant: a zip of the Word files named by convention, and a
//! ready-to-send `.eml` draft to the provincial mailbox with the subject and the attachments
//! filled in (RFC 5322 / MIME, UTF-8 headers encoded per RFC 2047 and RFC 2231).

use std::io::Write as _;

use crate::compose::model::Email;

/// A file to attach: its name and bytes.
pub struct Attachment<'a> {
    /// The file name shown to the recipient.
    pub name: &'a str,
    /// The contents.
    pub bytes: &'a [u8],
}

/// A zip holding `files`, deflated, with fixed timestamps and the same "made by" host on every
/// system, so the same files give the same bytes.
pub fn zip(files: &[Attachment]) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .system(super::zip_host::HOST);
    for file in files {
        writer.start_file(file.name, options)?;
        writer.write_all(file.bytes)?;
    }
    Ok(writer.finish()?.into_inner())
}

/// An unsent e-mail draft of `email` with `attachments`. `X-Unsent: 1` makes Outlook open it as a
/// draft; other clients open it as a message to forward or resend. Its `Date:` is the materials'
/// date, so the same dossier gives the same bytes.
pub fn draft(email: &Email, attachments: &[Attachment]) -> Vec<u8> {
    let boundary = "shenbao-boundary-7d1f0c";
    let mut mail = String::new();
    if let Some((name, address)) = &email.from {
        mail.push_str(&format!("From: {} <{address}>\r\n", encode_header(name)));
    }
    mail.push_str(&format!("To: {}\r\n", email.to));
    mail.push_str(&format!("Date: {}\r\n", email.date));
    mail.push_str(&format!("Subject: {}\r\n", encode_header(&email.subject)));
    mail.push_str("X-Unsent: 1\r\nMIME-Version: 1.0\r\n");
    mail.push_str(&format!(
        "Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
    ));
    mail.push_str(&format!("--{boundary}\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"));
    mail.push_str(&wrap(&base64(email.body.as_bytes())));
    for attachment in attachments {
        let name = percent_encode(attachment.name);
        mail.push_str(&format!("--{boundary}\r\n"));
        mail.push_str("Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document\r\n");
        mail.push_str(&format!(
            "Content-Disposition: attachment; filename*=UTF-8''{name}\r\n"
        ));
        mail.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
        mail.push_str(&wrap(&base64(attachment.bytes)));
    }
    mail.push_str(&format!("--{boundary}--\r\n"));
    mail.into_bytes()
}

/// The most bytes of text in one encoded word: 45 bytes are 60 base64 characters, so the word
/// `=?UTF-8?B?…?=` is 72 characters, within RFC 2047's 75.
const ENCODED_WORD_BYTES: usize = 45;

/// `=?UTF-8?B?…?=` for a header with non-ASCII text: one encoded word per at most 45 bytes of
/// whole characters, the words on folded lines (CRLF and a space), as RFC 2047 asks.
fn encode_header(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    let mut words = Vec::new();
    let mut start = 0;
    for (at, c) in text.char_indices() {
        if at + c.len_utf8() - start > ENCODED_WORD_BYTES {
            words.push(&text[start..at]);
            start = at;
        }
    }
    words.push(&text[start..]);
    words
        .iter()
        .map(|word| format!("=?UTF-8?B?{}?=", base64(word.as_bytes())))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// RFC 2231 / 3986 percent-encoding of a file name.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Base64 lines of 76 characters, each ended by CRLF.
fn wrap(encoded: &str) -> String {
    encoded
        .as_bytes()
        .chunks(76)
        .map(|line| format!("{}\r\n", String::from_utf8_lossy(line)))
        .collect()
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64("申报".as_bytes()), "55Sz5oql");
    }

    #[test]
    fn a_draft_names_its_attachments_in_utf8() {
        let email = Email {
            to: "a@b.cn".into(),
            from: Some(("某市人民政府".into(), "zscq@example.gov.cn".into())),
            date: "Thu, 10 Aug 2023 09:00:00 +0800".into(),
            bundle: "申报材料".into(),
            subject: "申报材料".into(),
            body: "正文".into(),
        };
        let attachments = [Attachment {
            name: "材料2.docx",
            bytes: b"x",
        }];
        let mail = String::from_utf8(draft(&email, &attachments)).unwrap();
        assert!(mail.starts_with("From: =?UTF-8?B?"), "{mail}");
        assert!(
            mail.contains(" <zscq@example.gov.cn>\r\nTo: a@b.cn\r\n"),
            "{mail}"
        );
        assert!(mail.contains("\r\nDate: Thu, 10 Aug 2023 09:00:00 +0800\r\n"));
        assert!(mail.contains("Subject: =?UTF-8?B?55Sz5oql5p2Q5paZ?="));
        assert!(mail.contains("filename*=UTF-8''%E6%9D%90%E6%96%992.docx"));
        assert!(mail.contains("X-Unsent: 1"));
    }

    #[test]
    fn a_long_subject_is_folded_into_short_encoded_words() {
        let subject = "许昌市-国家知识产权强市建设试点城市-申报材料（电子版）";
        let header = encode_header(subject);
        let words: Vec<&str> = header.split("\r\n ").collect();
        assert!(words.len() > 1, "{header}");
        let mut decoded = Vec::new();
        for word in &words {
            assert!(word.len() <= 75, "{word}");
            let inner = word
                .strip_prefix("=?UTF-8?B?")
                .unwrap()
                .strip_suffix("?=")
                .unwrap();
            decoded.extend(decode(inner));
        }
        assert_eq!(String::from_utf8(decoded).unwrap(), subject);
    }

    /// Standard base64, for checking what the draft encodes.
    fn decode(text: &str) -> Vec<u8> {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let values: Vec<u32> = text
            .bytes()
            .filter(|&b| b != b'=')
            .map(|b| ALPHABET.iter().position(|&a| a == b).unwrap() as u32)
            .collect();
        let mut bytes = Vec::new();
        for chunk in values.chunks(4) {
            let n = chunk.iter().fold(0, |n, v| n << 6 | v) << (6 * (4 - chunk.len()));
            bytes.extend(&n.to_be_bytes()[1..chunk.len()]);
        }
        bytes
    }
}
