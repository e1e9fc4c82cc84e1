//! The unified line diff kube-apiserver prints in NodeRestriction's PVC status message.
//!
//! apimachinery's `diff.Diff` splits two texts into lines (each keeping its `\n`, with one
//! appended to the last line) and renders them with go-difflib's unified diff, itself a
//! port of Python's `difflib`: no `---`/`+++` header (no file names are given), `@@ -a,b
//! +c,d @@` hunk headers, and the Ratcliff/Obershelp style matching of
//! `SequenceMatcher` (longest contiguous match first, earliest in the first text, then
//! earliest in the second; lines occurring more than 1% of the time in a second text of
//! at least 200 lines are "popular" and cannot start a match). Matching decides which
//! lines a hunk shows, so it is restated here rather than replaced by another algorithm.

use std::collections::HashMap;
use std::fmt::Write;

/// Splits `s` after every `\n` and appends a `\n` to the last piece, as go-difflib's
/// `SplitLines` does (so a text without a trailing newline gets one, and a text with one
/// ends in a line holding only `\n`).
pub fn split_lines(s: &str) -> Vec<String> {
    let mut lines: Vec<String> = s.split_inclusive('\n').map(str::to_owned).collect();
    if s.is_empty() || s.ends_with('\n') {
        lines.push(String::new());
    }
    if let Some(last) = lines.last_mut() {
        last.push('\n');
    }
    lines
}

/// One matching block: `a[a..a+size] == b[b..b+size]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Match {
    a: usize,
    b: usize,
    size: usize,
}

/// The tag of an edit operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    Replace,
    Delete,
    Insert,
    Equal,
}

/// An edit operation over `a[i1..i2]` and `b[j1..j2]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct OpCode {
    tag: Tag,
    i1: usize,
    i2: usize,
    j1: usize,
    j2: usize,
}

/// The matcher state: the two sequences and, for every non-popular line of `b`, the
/// ascending positions where it occurs.
struct Matcher<'s> {
    a: &'s [String],
    b: &'s [String],
    b2j: HashMap<&'s str, Vec<usize>>,
}

impl<'s> Matcher<'s> {
    fn new(a: &'s [String], b: &'s [String]) -> Self {
        let mut b2j: HashMap<&'s str, Vec<usize>> = HashMap::new();
        for (i, line) in b.iter().enumerate() {
            b2j.entry(line.as_str()).or_default().push(i);
        }
        let n = b.len();
        if n >= 200 {
            let ntest = n / 100 + 1;
            b2j.retain(|_, positions| positions.len() <= ntest);
        }
        Matcher { a, b, b2j }
    }

    /// The longest block matching inside `a[alo..ahi]` and `b[blo..bhi]`, earliest in `a`
    /// and then in `b` on ties, extended on both sides by equal (possibly popular) lines.
    fn find_longest_match(&self, alo: usize, ahi: usize, blo: usize, bhi: usize) -> Match {
        let (mut besti, mut bestj, mut bestsize) = (alo, blo, 0usize);
        let mut j2len: HashMap<usize, usize> = HashMap::new();
        for i in alo..ahi {
            let mut newj2len: HashMap<usize, usize> = HashMap::new();
            if let Some(positions) = self.b2j.get(self.a[i].as_str()) {
                for &j in positions {
                    if j < blo {
                        continue;
                    }
                    if j >= bhi {
                        break;
                    }
                    let prev = if j == 0 { 0 } else { j2len.get(&(j - 1)).copied().unwrap_or(0) };
                    let k = prev + 1;
                    newj2len.insert(j, k);
                    if k > bestsize {
                        besti = i + 1 - k;
                        bestj = j + 1 - k;
                        bestsize = k;
                    }
                }
            }
            j2len = newj2len;
        }
        while besti > alo && bestj > blo && self.a[besti - 1] == self.b[bestj - 1] {
            besti -= 1;
            bestj -= 1;
            bestsize += 1;
        }
        while besti + bestsize < ahi && bestj + bestsize < bhi && self.a[besti + bestsize] == self.b[bestj + bestsize] {
            bestsize += 1;
        }
        Match { a: besti, b: bestj, size: bestsize }
    }

    fn matching_blocks(&self) -> Vec<Match> {
        let mut matched = Vec::new();
        // An explicit stack visiting the left part, the match, then the right part.
        enum Work {
            Range(usize, usize, usize, usize),
            Emit(Match),
        }
        let mut stack = vec![Work::Range(0, self.a.len(), 0, self.b.len())];
        while let Some(work) = stack.pop() {
            match work {
                Work::Emit(m) => matched.push(m),
                Work::Range(alo, ahi, blo, bhi) => {
                    let m = self.find_longest_match(alo, ahi, blo, bhi);
                    if m.size == 0 {
                        continue;
                    }
                    let (i, j, k) = (m.a, m.b, m.size);
                    if i + k < ahi && j + k < bhi {
                        stack.push(Work::Range(i + k, ahi, j + k, bhi));
                    }
                    stack.push(Work::Emit(m));
                    if alo < i && blo < j {
                        stack.push(Work::Range(alo, i, blo, j));
                    }
                }
            }
        }
        let mut merged = Vec::new();
        let (mut i1, mut j1, mut k1) = (0usize, 0usize, 0usize);
        for m in matched {
            if i1 + k1 == m.a && j1 + k1 == m.b {
                k1 += m.size;
            } else {
                if k1 > 0 {
                    merged.push(Match { a: i1, b: j1, size: k1 });
                }
                (i1, j1, k1) = (m.a, m.b, m.size);
            }
        }
        if k1 > 0 {
            merged.push(Match { a: i1, b: j1, size: k1 });
        }
        merged.push(Match { a: self.a.len(), b: self.b.len(), size: 0 });
        merged
    }

    fn opcodes(&self) -> Vec<OpCode> {
        let (mut i, mut j) = (0usize, 0usize);
        let mut codes = Vec::new();
        for m in self.matching_blocks() {
            let tag = if i < m.a && j < m.b {
                Some(Tag::Replace)
            } else if i < m.a {
                Some(Tag::Delete)
            } else if j < m.b {
                Some(Tag::Insert)
            } else {
                None
            };
            if let Some(tag) = tag {
                codes.push(OpCode { tag, i1: i, i2: m.a, j1: j, j2: m.b });
            }
            i = m.a + m.size;
            j = m.b + m.size;
            if m.size > 0 {
                codes.push(OpCode { tag: Tag::Equal, i1: m.a, i2: i, j1: m.b, j2: j });
            }
        }
        codes
    }

    fn grouped_opcodes(&self, n: usize) -> Vec<Vec<OpCode>> {
        let mut codes = self.opcodes();
        if codes.is_empty() {
            codes.push(OpCode { tag: Tag::Equal, i1: 0, i2: 1, j1: 0, j2: 1 });
        }
        if let Some(c) = codes.first_mut()
            && c.tag == Tag::Equal
        {
            c.i1 = c.i1.max(c.i2.saturating_sub(n));
            c.j1 = c.j1.max(c.j2.saturating_sub(n));
        }
        if let Some(c) = codes.last_mut()
            && c.tag == Tag::Equal
        {
            c.i2 = c.i2.min(c.i1 + n);
            c.j2 = c.j2.min(c.j1 + n);
        }
        let nn = n + n;
        let mut groups = Vec::new();
        let mut group = Vec::new();
        for c in codes {
            let (mut i1, mut j1) = (c.i1, c.j1);
            if c.tag == Tag::Equal && c.i2 - c.i1 > nn {
                group.push(OpCode { tag: c.tag, i1, i2: c.i2.min(i1 + n), j1, j2: c.j2.min(j1 + n) });
                groups.push(std::mem::take(&mut group));
                i1 = i1.max(c.i2.saturating_sub(n));
                j1 = j1.max(c.j2.saturating_sub(n));
            }
            group.push(OpCode { tag: c.tag, i1, i2: c.i2, j1, j2: c.j2 });
        }
        let only_equal = group.len() == 1 && group[0].tag == Tag::Equal;
        if !group.is_empty() && !only_equal {
            groups.push(group);
        }
        groups
    }
}

/// A hunk range in the unified format: `start` alone for one line, `start,len` otherwise,
/// with an empty range starting at the line before it.
fn format_range(start: usize, stop: usize) -> String {
    let beginning = start + 1;
    let length = stop - start;
    if length == 1 {
        return beginning.to_string();
    }
    let beginning = if length == 0 { beginning - 1 } else { beginning };
    format!("{beginning},{length}")
}

/// go-difflib's `GetUnifiedDiffString` with no file names or dates, `\n` line ends and
/// `context` lines of context, over lines as [`split_lines`] makes them. Identical
/// inputs give an empty string.
pub fn unified_diff(a: &[String], b: &[String], context: usize) -> String {
    let matcher = Matcher::new(a, b);
    let mut out = String::new();
    for group in matcher.grouped_opcodes(context) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let _ = writeln!(out, "@@ -{} +{} @@", format_range(first.i1, last.i2), format_range(first.j1, last.j2));
        for c in &group {
            if c.tag == Tag::Equal {
                for line in &a[c.i1..c.i2] {
                    out.push(' ');
                    out.push_str(line);
                }
                continue;
            }
            if matches!(c.tag, Tag::Replace | Tag::Delete) {
                for line in &a[c.i1..c.i2] {
                    out.push('-');
                    out.push_str(line);
                }
            }
            if matches!(c.tag, Tag::Replace | Tag::Insert) {
                for line in &b[c.j1..c.j2] {
                    out.push('+');
                    out.push_str(line);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<String> {
        split_lines(s)
    }

    #[test]
    fn split_lines_appends_newline() {
        assert_eq!(split_lines("a\nb"), vec!["a\n", "b\n"]);
        assert_eq!(split_lines("a\n"), vec!["a\n", "\n"]);
        assert_eq!(split_lines(""), vec!["\n"]);
    }

    #[test]
    fn identical_is_empty() {
        let a = lines("x\ny\nz");
        assert_eq!(unified_diff(&a, &a, 3), "");
    }

    #[test]
    fn one_changed_line() {
        let a = lines("1\n2\n3\n4\n5\n6\n7\n8\n9");
        let b = lines("1\n2\n3\n4\nX\n6\n7\n8\n9");
        assert_eq!(unified_diff(&a, &b, 3), "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n");
    }

    #[test]
    fn insert_at_start_and_two_hunks() {
        let a = lines("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk");
        let b = lines("new\na\nb\nc\nd\ne\nf\ng\nh\ni\nj\nK");
        assert_eq!(unified_diff(&a, &b, 3), "@@ -1,3 +1,4 @@\n+new\n a\n b\n c\n@@ -8,4 +9,4 @@\n h\n i\n j\n-k\n+K\n");
    }
}
