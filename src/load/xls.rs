//! The .xls (OLE compound file, BIFF records) checks run before calamine opens a legacy workbook:
//! calamine 0.38 trusts the container and the records, and panics, hangs or asks for terabytes on
//! a damaged file. The reading it does while opening is replayed here on the same bytes, so that
//! such a file is a located error instead (found by the `workbook` fuzz target).

use std::collections::BTreeSet;

use super::sheet::Area;

/// Why the OLE compound file (.xls) `bytes` cannot be opened safely, or `None` (also for bytes
/// that are no OLE file, for a header calamine refuses by itself, and for a file without a
/// `Workbook` stream). calamine 0.38 trusts the container: a sector past the end of the file, a
/// sector cut short inside an allocation table, a chain that loops or a FAT entry that does not
/// exist makes it panic, hang or allocate without bound instead of returning an error. So its
/// reading of the sectors while it opens the file (DIFAT, FAT, directory, mini stream, mini FAT,
/// the `Workbook` or `Book` stream) is replayed here first, step for step, on the same bytes.
pub(super) fn ole_problem(bytes: &[u8], sheet_cells: u64) -> Option<String> {
    const SIGNATURE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    if bytes.len() < 512 || !bytes.starts_with(SIGNATURE) {
        return None;
    }
    let size: usize = match u16::from_le_bytes([bytes[30], bytes[31]]) {
        0x0009 => 512,
        0x000C => 4096,
        _ => return None,
    };
    if u16::from_le_bytes([bytes[32], bytes[33]]) != 0x0006 || bytes.len() < size {
        return None;
    }
    match Replay::new(bytes, size).and_then(|mut replay| replay.workbook_stream()) {
        Ok(stream) => biff_problem(&stream, sheet_cells),
        Err(Ole::Fails) => None,
        Err(Ole::Damaged(problem)) => Some(damaged(problem)),
    }
}

/// Why calamine cannot read the BIFF records of an .xls `Workbook` `stream` safely, or `None`.
/// It trusts where the sheets start (BoundSheet8) and a sheet's DIMENSIONS record, for which it
/// reserves rows × columns cells at once: a last row before the first (the count wraps round) or a
/// range beyond the format's 65536 rows and 256 columns makes it ask for terabytes and abort; and
/// it lays a sheet's cells out in a grid spanning them all, which `sheet_cells` caps. So the
/// records are walked as calamine walks them: the globals up to their EOF, then each sheet.
fn biff_problem(stream: &[u8], sheet_cells: u64) -> Option<String> {
    let mut sheets = Vec::new();
    for (kind, data) in records(stream) {
        match kind {
            // BoundSheet8: where the sheet starts, its state and type.
            0x0085 if data.len() < 6 => return Some(damaged("工作表目录记录（BoundSheet）不完整")),
            0x0085 => sheets.push(le32(data, 0) as usize),
            // FilePass, CodePage, DateMode: a 16-bit value read without a length check.
            0x002F | 0x0042 | 0x0022 if data.len() < 2 => {
                return Some(damaged("工作簿的记录不完整"));
            }
            // An encrypted workbook: calamine says so and reads no sheet.
            0x002F if data[..2] != [0, 0] => return None,
            0x000A => break,
            _ => (),
        }
    }
    for start in sheets {
        let Some(sheet) = stream.get(start..) else {
            return Some(damaged("工作表的位置超出了工作簿数据"));
        };
        // The sheet's own BOF opens it; a later one opens an embedded chart, skipped to its EOF.
        let (mut opened, mut nested) = (false, 0usize);
        // calamine lays the cells (and apart from them the formulas) out in a grid spanning all
        // of them, as the area of an .xlsx sheet is checked cell by cell.
        let mut area = Area::default();
        for (kind, data) in records(sheet) {
            let at = |i: usize| u32::from(u16::from_le_bytes([data[i], data[i + 1]]));
            match kind {
                0x0809 if nested > 0 || opened => nested += 1,
                0x0809 => opened = true,
                0x000A if nested > 0 => nested -= 1,
                0x000A => break,
                _ if nested > 0 => (),
                0x0200 if !dimensions_fit(data) => {
                    return Some(damaged(
                        "工作表的尺寸记录（DIMENSIONS）超出 .xls 格式的范围",
                    ));
                }
                // Number, Label, RString, BoolErr, RK, LabelSst, Formula: row and column first.
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 if data.len() >= 4 => {
                    area.include((at(0), at(2)));
                }
                // MulRk: a row, its first column, and its last column at the end.
                0x00BD if data.len() >= 6 => {
                    let (first, last) = (at(2), at(data.len() - 2));
                    if last < first {
                        return Some(damaged("工作表的多值记录（MulRk）列号颠倒"));
                    }
                    area.include((at(0), first));
                    area.include((at(0), last));
                }
                _ => (),
            }
            if area.cells() > sheet_cells {
                return Some(format!(
                    "工作表中有单元格离其余内容太远：有内容的区域 {} 跨 {} 个单元格，超过上限 {sheet_cells}",
                    area.name(),
                    area.cells()
                ));
            }
        }
    }
    None
}

/// The words for a compound file or workbook damaged by `problem`.
pub(super) fn damaged(problem: &str) -> String {
    format!("文件结构已损坏：{problem}")
}

/// Whether a DIMENSIONS record's range is one calamine can reserve: first row before the end
/// row, first column (0 when past 255 or the end) before the end column, at most 65536 rows and
/// 256 columns. Records of another length it refuses itself.
fn dimensions_fit(data: &[u8]) -> bool {
    let le16 = |at: usize| u32::from(u16::from_le_bytes([data[at], data[at + 1]]));
    let (first_row, rows_end, first_col, cols_end) = match data.len() {
        10 => (le16(0), le16(2), le16(4), le16(6)),
        14 | 16 => (le32(data, 0), le32(data, 4), le16(8), le16(10)),
        _ => return true,
    };
    let first_col = if first_col > 0xFF || cols_end < first_col {
        0
    } else {
        first_col
    };
    rows_end == 0
        || cols_end == 0
        || (first_row < rows_end
            && first_col < cols_end
            && rows_end <= 0x1_0000
            && cols_end <= 0x100)
}

/// The BIFF records of `stream` as calamine's `RecordIter` gives them, kind and data, until one
/// runs past the end; the CONTINUE records after a record belong to it and are skipped.
fn records(mut stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let header = |bytes: &[u8]| {
        (
            u16::from_le_bytes([bytes[0], bytes[1]]),
            usize::from(u16::from_le_bytes([bytes[2], bytes[3]])),
        )
    };
    std::iter::from_fn(move || {
        if stream.len() < 4 {
            return None;
        }
        let (kind, len) = header(stream);
        let (record, rest) = stream.split_at_checked(len + 4)?;
        stream = rest;
        while stream.len() > 4 && header(stream).0 == 0x003C {
            stream = stream.split_at_checked(header(stream).1 + 4)?.1;
        }
        Some((kind, &record[4..]))
    })
}

/// How a step of calamine's reading of an OLE file ends when it does not succeed.
enum Ole {
    /// calamine returns an error of its own.
    Fails,
    /// calamine would panic, hang or exhaust memory: the file is damaged in this way.
    Damaged(&'static str),
}

/// A sector number past the end of the file.
pub(super) const PAST_END: &str = "扇区编号超出文件末尾，文件可能不完整";
/// The end of a sector chain.
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;

/// calamine's `Cfb` as it is being opened: the file's sectors and mini sectors as read so far,
/// their allocation tables and the directory.
struct Replay<'a> {
    file: &'a [u8],
    /// Where in `file` calamine reads next (both kinds of sector read on from there).
    at: usize,
    sectors: Sectors,
    fat: Vec<u32>,
    mini_sectors: Sectors,
    mini_fat: Vec<u32>,
    /// Each directory entry's name, first sector and length.
    directory: Vec<(String, u32, usize)>,
}

impl<'a> Replay<'a> {
    /// `Cfb::new`: the DIFAT, the FAT, the directory, the mini stream and the mini FAT.
    fn new(file: &'a [u8], size: usize) -> Result<Self, Ole> {
        const RESERVED: u32 = 0xFFFF_FFFA;
        const DIFSECT: u32 = 0xFFFF_FFFC;
        let word = |at: usize| le32(file, at);
        let maxid = file.len() / size;
        let mut replay = Replay {
            file,
            at: size,
            sectors: Sectors {
                data: Vec::new(),
                size,
                maxid: maxid as u32,
            },
            fat: Vec::new(),
            mini_sectors: Sectors {
                data: Vec::new(),
                size: 64,
                maxid: 0,
            },
            mini_fat: Vec::new(),
            directory: Vec::new(),
        };
        let mut difat: Vec<u32> = words(&file[76..512])?.collect();
        let mut next = word(68);
        let mut difat_sectors = 0;
        while next < RESERVED {
            difat_sectors += 1;
            if difat_sectors > maxid.saturating_add(1) {
                return Err(Ole::Fails);
            }
            difat.extend(words(replay.sector(next)?)?);
            next = difat.pop().ok_or(Ole::Fails)?;
        }
        // A FAT sector listed twice is read twice: bounded by nothing but the DIFAT's length.
        let mut listed = BTreeSet::new();
        for id in difat.into_iter().filter(|&id| id < DIFSECT) {
            if !listed.insert(id) {
                return Err(Ole::Damaged("同一扇区在分配表中出现两次"));
            }
            let entries: Vec<u32> = words(replay.sector(id)?)?.collect();
            replay.fat.extend(entries);
        }
        let directory = replay.chain(word(48), usize::MAX, false)?;
        replay.directory = directory
            .chunks_exact(128)
            .map(|entry| {
                let mut name = encoding_rs::UTF_16LE.decode(&entry[..64]).0.into_owned();
                if let Some(nul) = name.as_bytes().iter().position(|&b| b == 0) {
                    name.truncate(nul);
                }
                let len = if size == 512 {
                    u64::from(le32(entry, 120))
                } else {
                    u64::from_le_bytes(entry[120..128].try_into().unwrap_or_default())
                };
                (
                    name,
                    le32(entry, 116),
                    usize::try_from(len).unwrap_or(usize::MAX),
                )
            })
            .collect();
        let Some(&(_, root_start, root_len)) = replay.directory.first() else {
            return Err(Ole::Fails);
        };
        if u16::from_le_bytes([file[26], file[27]]) != 3 && root_start == END_OF_CHAIN {
            return Err(Ole::Fails);
        }
        let mini_fat_sectors = word(64) as usize;
        if mini_fat_sectors > 0 {
            replay.mini_sectors.data = replay.chain(root_start, root_len, false)?;
            let mini_fat = replay.chain(word(60), mini_fat_sectors * size, false)?;
            replay.mini_fat = words(&mini_fat)?.collect();
        }
        replay.mini_sectors.maxid = (maxid * 8) as u32;
        Ok(replay)
    }

    /// `parse_workbook`'s stream: `Workbook`, or `Book` when that cannot be read.
    fn workbook_stream(&mut self) -> Result<Vec<u8>, Ole> {
        match self.stream("Workbook") {
            Err(Ole::Fails) => self.stream("Book"),
            done => done,
        }
    }

    /// `Cfb::get_stream`: the stream `name` from the mini stream (under 4096 bytes) or the file.
    fn stream(&mut self, name: &str) -> Result<Vec<u8>, Ole> {
        let (_, start, len) = self
            .directory
            .iter()
            .find(|(entry, ..)| entry.eq_ignore_ascii_case(name))
            .cloned()
            .ok_or(Ole::Fails)?;
        self.chain(start, len, len < 4096)
    }

    /// Sector `id` of the file.
    fn sector(&mut self, id: u32) -> Result<&[u8], Ole> {
        self.sectors.get(id, self.file, &mut self.at)
    }

    /// `Sectors::get_chain`: from `start`, each sector, then stop once `len` bytes are read, else
    /// on to the sector the FAT (the mini FAT for `mini` sectors) names, until the end mark.
    fn chain(&mut self, start: u32, len: usize, mini: bool) -> Result<Vec<u8>, Ole> {
        let (sectors, fat) = if mini {
            (&mut self.mini_sectors, &self.mini_fat)
        } else {
            (&mut self.sectors, &self.fat)
        };
        let mut read = Vec::new();
        let mut id = start;
        let mut steps: u64 = 0;
        while id != END_OF_CHAIN {
            let sector = sectors.get(id, self.file, &mut self.at)?;
            read.extend_from_slice(&sector[..sector.len().min(len - read.len())]);
            if read.len() >= len {
                break;
            }
            // Past as many sectors as there are, the chain has come round to one again.
            steps += 1;
            if steps > u64::from(sectors.maxid) + 1 {
                return Err(Ole::Damaged("扇区链形成循环"));
            }
            id = *fat
                .get(id as usize)
                .ok_or(Ole::Damaged("扇区分配表中没有该扇区"))?;
        }
        Ok(read)
    }
}

/// calamine's `Sectors`: what has been read of sectors of `size` bytes (zero-filled where the
/// file ended), and the highest sector number it accepts.
struct Sectors {
    data: Vec<u8>,
    size: usize,
    maxid: u32,
}

impl Sectors {
    /// `Sectors::get`: sector `id`, reading on from `*at` in `file` as far as it ends; only as
    /// much of it as the file holds when it is first read.
    fn get(&mut self, id: u32, file: &[u8], at: &mut usize) -> Result<&[u8], Ole> {
        if self.maxid < id {
            return Err(Ole::Fails);
        }
        let start = id as usize * self.size;
        let end = start + self.size;
        if end > self.data.len() {
            let len = self.data.len();
            let read = (end - len).min(file.len().saturating_sub(*at));
            self.data.resize(end, 0);
            self.data[len..len + read].copy_from_slice(&file[*at..*at + read]);
            *at += read;
            if len + read < end {
                return self
                    .data
                    .get(start..len + read)
                    .ok_or(Ole::Damaged(PAST_END));
            }
        }
        Ok(&self.data[start..end])
    }
}

/// The little-endian 32-bit word of `bytes` at `at`.
fn le32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// The little-endian 32-bit words of an allocation table's `bytes`, which must be whole words.
fn words(bytes: &[u8]) -> Result<impl Iterator<Item = u32> + '_, Ole> {
    if !bytes.len().is_multiple_of(4) {
        return Err(Ole::Damaged("扇区分配表被截断，文件可能不完整"));
    }
    Ok(bytes.chunks_exact(4).map(|w| le32(w, 0)))
}
