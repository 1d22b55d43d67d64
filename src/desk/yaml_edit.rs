//! Saving a form into `applicant.yaml` without losing the office's comments and layout: only the
//! values that changed are rewritten, at the place the loader found them; a field that is not
//! there yet goes on a new line under its parent. Every other byte of the file stays as it was.

use std::path::Path;

use crate::load::yaml::{self, Node, Value};

/// Sets the scalar at `path` (such as `["contact", "phone"]`) to `value` in the YAML `text`,
/// and returns the new text. `value` is written double-quoted, so it is always read back as the
/// same text, whatever it contains.
pub fn set_scalar(text: &str, path: &[&str], value: &str) -> Result<String, String> {
    set_written(text, path, &quote(value))
}

/// Sets the yes/no field at `path` to `value` (written `true` / `false`).
pub fn set_flag(text: &str, path: &[&str], value: bool) -> Result<String, String> {
    set_written(text, path, if value { "true" } else { "false" })
}

/// Sets the list of texts at `path` to `items`, one `- "item"` line each under the key (the
/// key's own line and its comment stay); no items are written `[]`.
pub fn set_texts(text: &str, path: &[&str], items: &[String]) -> Result<String, String> {
    if items.is_empty() {
        return set_written(text, path, "[]");
    }
    set_block(text, path, |indent| {
        items
            .iter()
            .map(|item| format!("{indent}  - {}\n", quote(item)))
            .collect()
    })
}

/// Sets the list at `path` to `items`, each a mapping of fields whose values are already in
/// YAML form (see [`quoted`]).
pub fn set_items(
    text: &str,
    path: &[&str],
    items: &[Vec<(&str, String)>],
) -> Result<String, String> {
    set_block(text, path, |indent| {
        items
            .iter()
            .map(|fields| item_lines(&format!("{indent}  "), fields))
            .collect()
    })
}

/// Puts `block(indent)` under the key at `path` in place of what it held, the key indented by
/// `indent`; the key's own line and comment stay. A missing key is added under its parent.
fn set_block(text: &str, path: &[&str], block: impl Fn(&str) -> String) -> Result<String, String> {
    let root = yaml::parse(Path::new("applicant.yaml"), text).map_err(|d| d.message)?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let (parent, found) = walk(&root, path)?;
    match found {
        Some((key, _)) => {
            let index = line_index(key)?;
            let (body, ending) = split_ending(lines[index]);
            let colon = value_start(body, key.column as usize).ok_or("找不到字段后的冒号")?;
            // The comment stays at its column: the value it followed becomes spaces.
            let comment = comment_start(body, colon)
                .map(|start| {
                    let width = columns(&body[colon..start]).max(1);
                    format!("{}{}", " ".repeat(width), &body[start..])
                })
                .unwrap_or_default();
            let indent = " ".repeat(indentation(body));
            let ending = if ending.is_empty() { "\n" } else { ending };
            let rewritten = format!("{}{comment}{ending}{}", &body[..colon], block(&indent));
            let end = block_end(&lines, index);
            Ok(splice(&lines, index..end, &rewritten))
        }
        None => insert_under(&lines, parent, key_name(path), |indent| {
            (format!("{indent}{}:", key_name(path)), block(indent))
        }),
    }
}

/// One list item, `- first: value` and the other fields under it, at `indent`.
fn item_lines(indent: &str, fields: &[(&str, String)]) -> String {
    fields
        .iter()
        .enumerate()
        .map(|(i, (key, value))| {
            let lead = if i == 0 { "- " } else { "  " };
            format!("{indent}{lead}{key}: {value}\n")
        })
        .collect()
}

/// Appends an item to the list at `path` (a top-level list such as `evidence`), a mapping of
/// `fields` whose values are already in YAML form (see [`quoted`]); the list is started when the
/// file has none.
pub fn append_item(text: &str, path: &[&str], fields: &[(&str, String)]) -> Result<String, String> {
    let root = yaml::parse(Path::new("applicant.yaml"), text).map_err(|d| d.message)?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let (parent, found) = walk(&root, path)?;
    let item = |indent: &str| item_lines(indent, fields);
    match found {
        Some((key, node)) => {
            let index = line_index(key)?;
            let indent = match &node.value {
                Value::Seq(items) if !items.is_empty() => {
                    " ".repeat((items[0].column as usize).saturating_sub(3))
                }
                Value::Seq(_) | Value::Null => " ".repeat(indentation(lines[index]) + 2),
                _ => return Err(format!("applicant.yaml 中的“{}”不是列表", key_name(path))),
            };
            let end = block_end(&lines, index);
            let mut out = splice(&lines, end..end, &item(&indent));
            if end > 0 && !lines[end - 1].ends_with('\n') {
                out = splice(
                    &lines,
                    end - 1..end,
                    &format!("{}\n{}", lines[end - 1], item(&indent)),
                );
            }
            Ok(out)
        }
        None => insert_under(&lines, parent, key_name(path), |indent| {
            (
                format!("{indent}{}:", key_name(path)),
                item(&format!("{indent}  ")),
            )
        }),
    }
}

/// `value` as a double-quoted YAML scalar, for [`append_item`].
pub fn quoted(value: &str) -> String {
    quote(value)
}

fn key_name<'a>(path: &[&'a str]) -> &'a str {
    path.last().copied().unwrap_or_default()
}

/// Takes the field at `path` out of play, so the template's default applies again: its line and
/// anything nested under it are commented out (`# title: ……`), so the office's notes and the
/// last value stay in the file and the page can fill the field in again at the same place. A
/// field that is not there leaves the text as it was.
pub fn remove(text: &str, path: &[&str]) -> Result<String, String> {
    let root = yaml::parse(Path::new("applicant.yaml"), text).map_err(|d| d.message)?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    match walk(&root, path)? {
        (_, Some((key, _))) => {
            let index = line_index(key)?;
            let end = block_end(&lines, index);
            let indent = indentation(lines[index]);
            let commented: String = lines[index..end]
                .iter()
                .map(
                    |line| match line.trim().is_empty() || line.trim_start().starts_with('#') {
                        true => line.to_string(),
                        false => format!("{}# {}", &line[..indent], &line[indent..]),
                    },
                )
                .collect();
            Ok(splice(&lines, index..end, &commented))
        }
        (_, None) => Ok(text.to_string()),
    }
}

/// The scalar at `path` as text, if it is there.
pub fn text_at(text: &str, path: &[&str]) -> Option<String> {
    let root = yaml::parse(Path::new("applicant.yaml"), text).ok()?;
    let (_, found) = walk(&root, path).ok()?;
    found.and_then(|(_, node)| node.as_text())
}

/// The list of texts at `path`, if it is there.
pub fn texts_at(text: &str, path: &[&str]) -> Option<Vec<String>> {
    let root = yaml::parse(Path::new("applicant.yaml"), text).ok()?;
    let (_, found) = walk(&root, path).ok()?;
    match &found?.1.value {
        Value::Seq(items) => Some(items.iter().filter_map(Node::as_text).collect()),
        _ => None,
    }
}

/// The list of mappings at `path`, each field as text (an empty field as ""), if it is there.
pub fn items_at(text: &str, path: &[&str]) -> Option<Vec<Vec<(String, String)>>> {
    let root = yaml::parse(Path::new("applicant.yaml"), text).ok()?;
    let (_, found) = walk(&root, path).ok()?;
    let Value::Seq(items) = &found?.1.value else {
        return None;
    };
    let fields = |item: &Node| match &item.value {
        Value::Map(entries) => entries
            .iter()
            .filter_map(|(k, v)| Some((k.as_text()?, v.as_text().unwrap_or_default())))
            .collect(),
        _ => Vec::new(),
    };
    Some(items.iter().map(fields).collect())
}

/// The lines (1-based, first and last) that the field at `path` takes, if it is there.
pub fn lines_of(text: &str, path: &[&str]) -> Option<(u32, u32)> {
    let root = yaml::parse(Path::new("applicant.yaml"), text).ok()?;
    let (_, Some((key, _))) = walk(&root, path).ok()? else {
        return None;
    };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let index = line_index(key).ok()?;
    Some((key.line, block_end(&lines, index) as u32))
}

/// Writes `written` (already in YAML form) as the value at `path`.
fn set_written(text: &str, path: &[&str], written: &str) -> Result<String, String> {
    let root = yaml::parse(Path::new("applicant.yaml"), text).map_err(|d| d.message)?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let (parent, found) = walk(&root, path)?;
    match found {
        Some((key, node)) => replace_on_line(&lines, key, node, written),
        None => insert_under(&lines, parent, key_name(path), |indent| {
            (
                format!("{indent}{}: {written}", key_name(path)),
                String::new(),
            )
        }),
    }
}

/// A key node and its value node.
type Entry<'a> = (&'a Node, &'a Node);

/// Follows `path` through the mappings: the deepest mapping reached (with the key node that
/// names it, `None` for the root) and the key/value pair of the last step, if present.
fn walk<'a>(
    root: &'a Node,
    path: &[&str],
) -> Result<(Option<&'a Node>, Option<Entry<'a>>), String> {
    let (last, parents) = path.split_last().ok_or("空的字段路径")?;
    let mut map = root;
    let mut parent_key = None;
    for step in parents {
        let Some((key, value)) = entry(map, step) else {
            return Err(format!("applicant.yaml 中没有“{step}”一节"));
        };
        parent_key = Some(key);
        map = value;
    }
    Ok((parent_key, entry(map, last)))
}

fn entry<'a>(map: &'a Node, name: &str) -> Option<Entry<'a>> {
    match &map.value {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.as_text().as_deref() == Some(name))
            .map(|(k, v)| (k, v)),
        _ => None,
    }
}

/// Rewrites the value part of the line holding `key`, keeping the indentation, the key and any
/// trailing comment (aligned as before when the new value fits).
fn replace_on_line(
    lines: &[&str],
    key: &Node,
    node: &Node,
    written: &str,
) -> Result<String, String> {
    if !matches!(
        node.value,
        Value::Null | Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_)
    ) {
        return Err("该字段不是单个值，不能在表单中修改".into());
    }
    if node.line != 0 && node.line != key.line {
        return Err("该字段的值写在多行上，请在文件中修改".into());
    }
    let index = line_index(key)?;
    let line = lines.get(index).ok_or("字段的行号超出文件")?;
    let (body, ending) = split_ending(line);
    let colon = value_start(body, key.column as usize).ok_or("找不到字段后的冒号")?;
    let comment = comment_start(body, colon);
    let mut new_value = format!(" {written}");
    if let Some(start) = comment {
        let old_width = columns(&body[colon..start]);
        let width = columns(&new_value);
        new_value.push_str(&" ".repeat(old_width.saturating_sub(width).max(1)));
        new_value.push_str(&body[start..]);
    }
    let rewritten = format!("{}{}{}", &body[..colon], new_value, ending);
    Ok(splice(lines, index..index + 1, &rewritten))
}

/// Adds a field under its parent, `make(indent)` giving its key line (without the line end)
/// and the lines nested under it. Where the parent holds the field commented out (as `init`
/// writes the optional ones: `# title: ……   # 标题，不填由模板生成`), the field takes that line's
/// place and keeps its note at the same column; otherwise it goes at the end of the parent.
fn insert_under(
    lines: &[&str],
    parent: Option<&Node>,
    key: &str,
    make: impl Fn(&str) -> (String, String),
) -> Result<String, String> {
    let (start, end, indent) = match parent {
        None => (0, lines.len(), 0),
        Some(node) => {
            let start = node.line as usize;
            let base = indentation(lines.get(start - 1).copied().unwrap_or(""));
            let child = lines
                .iter()
                .skip(start)
                .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                .map(|l| indentation(l))
                .filter(|i| *i > base)
                .unwrap_or(base + 2);
            (start, block_end(lines, start - 1), child)
        }
    };
    let (first, rest) = make(&" ".repeat(indent));
    let commented = (start..end).find(|&i| commented_key(lines[i], indent) == Some(key));
    if let Some(i) = commented {
        let (body, _) = split_ending(lines[i]);
        let note = note_of(body).map(|(column, note)| {
            let width = columns(&first);
            format!("{}{note}", " ".repeat(column.saturating_sub(width).max(1)))
        });
        let line = format!("{first}{}\n{rest}", note.unwrap_or_default());
        return Ok(splice(lines, i..i + 1, &line));
    }
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    if end > 0 && !out[end - 1].ends_with('\n') {
        out[end - 1].push('\n');
    }
    out.insert(end, format!("{first}\n{rest}"));
    Ok(out.concat())
}

/// The key of a commented-out field line (`  # title: ……`) at indentation `indent`.
fn commented_key(line: &str, indent: usize) -> Option<&str> {
    if indentation(line) != indent {
        return None;
    }
    let rest = line.trim_start().strip_prefix('#')?.trim_start();
    let (key, _) = rest.split_once(':')?;
    (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(key)
}

/// The note after a commented-out field's example value (`# title: ……   # 标题`): its column
/// and its text from the second `#`.
fn note_of(body: &str) -> Option<(usize, &str)> {
    let first = body.find('#')?;
    let start = comment_start(body, first + 1)?;
    Some((columns(&body[..start]), &body[start..]))
}

/// The index just past the block of the key on line `index` (0-based): the lines nested deeper
/// than the key (or `- ` items at its own indentation), without the blank lines that end it.
fn block_end(lines: &[&str], index: usize) -> usize {
    let base = indentation(lines.get(index).copied().unwrap_or(""));
    let nested = lines
        .iter()
        .skip(index + 1)
        .take_while(|l| {
            l.trim().is_empty()
                || indentation(l) > base
                || indentation(l) == base && l.trim_start().starts_with("- ")
        })
        .count();
    (index + 1..index + 1 + nested)
        .rev()
        .find(|&i| !lines[i].trim().is_empty())
        .map_or(index + 1, |i| i + 1)
}

/// The 0-based index of the line holding `key`.
fn line_index(key: &Node) -> Result<usize, String> {
    Ok(key.line.checked_sub(1).ok_or("字段没有位置")? as usize)
}

/// The lines with those of `range` replaced by `replacement`.
fn splice(lines: &[&str], range: std::ops::Range<usize>, replacement: &str) -> String {
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i == range.start {
            out.push_str(replacement);
        }
        if !range.contains(&i) {
            out.push_str(line);
        }
    }
    if range.start >= lines.len() {
        out.push_str(replacement);
    }
    out
}

fn split_ending(line: &str) -> (&str, &str) {
    let body = line.trim_end_matches(['\n', '\r']);
    (body, &line[body.len()..])
}

/// The byte offset just after `key:` on a line whose key starts at 1-based character `column`.
fn value_start(body: &str, column: usize) -> Option<usize> {
    let key_start = body
        .char_indices()
        .nth(column.saturating_sub(1))
        .map(|(i, _)| i)?;
    let rest = &body[key_start..];
    let mut quote = None;
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ':') => return Some(key_start + i + 1),
            _ => {}
        }
    }
    None
}

/// Where a trailing ` # comment` starts after byte `from`, outside quotes.
fn comment_start(body: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    let mut previous = ' ';
    for (i, c) in body[from..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if previous.is_whitespace() => return Some(from + i),
            _ => {}
        }
        previous = c;
    }
    None
}

/// How many columns `text` takes in an editor: two for each Chinese character, one for the
/// rest, so that notes stay aligned as the office aligned them.
fn columns(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// `value` as a double-quoted YAML scalar.
fn quote(value: &str) -> String {
    let mut quoted = String::from('"');
    for c in value.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            c if c.is_control() => {}
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests;
