//! Comments found line by line, for files whose front-end does not hand over its own: a `#` or
//! `//` anywhere on a line starts a comment, and blocks are matched by counting brackets or
//! indentation.

use portcullis_ir::{Comment, SourceFile};

/// The comment part of a line (`#` or `//`), and whether code precedes it.
fn comment_of(line: &str) -> Option<(usize, bool)> {
    let hash = line.find('#');
    let slashes = line.find("//");
    let at = match (hash, slashes) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return None,
    };
    let before = line[..at].trim();
    Some((at, !before.is_empty()))
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The last line of the block that starts at `lines[start]`: bracket matching for HCL and JSON,
/// deeper indentation for YAML (a list item's children are indented past its dash).
fn block_end(lines: &[&str], start: usize) -> usize {
    let first = lines[start];
    let opens = first.matches(['{', '[']).count();
    let closes = first.matches(['}', ']']).count();
    if opens > closes {
        let mut depth = opens - closes;
        for (index, line) in lines.iter().enumerate().skip(start + 1) {
            depth += line.matches(['{', '[']).count();
            depth = depth.saturating_sub(line.matches(['}', ']']).count());
            if depth == 0 {
                return index;
            }
        }
        return lines.len() - 1;
    }
    let indent = indentation(first);
    let mut end = start;
    for (index, line) in lines.iter().enumerate().skip(start + 1) {
        if line.trim().is_empty() {
            continue;
        }
        if indentation(line) <= indent {
            break;
        }
        end = index;
    }
    end
}

/// Every comment of a file that annotates a line of code.
pub fn comments(source: &SourceFile) -> Vec<Comment> {
    let text = source.text.as_str();
    let lines: Vec<&str> = text.split('\n').collect();
    let mut starts = Vec::with_capacity(lines.len());
    let mut offset = 0usize;
    for line in &lines {
        starts.push(offset);
        offset += line.len() + 1;
    }
    let line_span = |index: usize| source.span(starts[index], starts[index] + lines[index].len());
    let mut comments = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some((at, after_code)) = comment_of(line) else {
            continue;
        };
        let target = if after_code {
            Some(index)
        } else {
            (index + 1..lines.len()).find(|next| {
                let trimmed = lines[*next].trim();
                !trimmed.is_empty() && !trimmed.starts_with('#') && !trimmed.starts_with("//")
            })
        };
        let Some(target) = target else { continue };
        let end = block_end(&lines, target);
        comments.push(Comment {
            span: source.span(starts[index] + at, starts[index] + line.trim_end().len()),
            line: line_span(target),
            covers: source.span(starts[target], line_span(end).end as usize),
        });
    }
    comments
}
