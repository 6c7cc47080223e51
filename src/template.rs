//! `{name}` templates for rule messages and template fixes. `{{` and `}}`
//! stand for literal braces.

use std::borrow::Cow;

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    /// A variable and the byte offset of its `{` in the template text.
    Var(String, usize),
}

/// A template that does not parse, with the byte range inside the template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// Where in the template text.
    pub range: std::ops::Range<usize>,
    /// What is wrong.
    pub message: String,
}

impl Template {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|p| p.1) == Some('{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek().map(|p| p.1) == Some('}') => {
                    chars.next();
                    lit.push('}');
                }
                '{' => {
                    let rest = &text[i + 1..];
                    let Some(close) = rest.find('}') else {
                        return Err(TemplateError {
                            range: i..text.len(),
                            message: "unclosed `{` (write `{{` for a literal brace)".into(),
                        });
                    };
                    let name = &rest[..close];
                    let valid = !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'));
                    if !valid {
                        return Err(TemplateError {
                            range: i..i + close + 2,
                            message: format!(
                                "`{{{name}}}` is not a variable name (write `{{{{` and `}}}}` for literal braces)"
                            ),
                        });
                    }
                    if !lit.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut lit)));
                    }
                    pieces.push(Piece::Var(name.to_string(), i));
                    for _ in 0..name.chars().count() + 1 {
                        chars.next();
                    }
                }
                '}' => {
                    return Err(TemplateError {
                        range: i..i + 1,
                        message: "lone `}` (write `}}` for a literal brace)".into(),
                    });
                }
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            pieces.push(Piece::Literal(lit));
        }
        Ok(Self { pieces })
    }

    /// The variables with the byte range of each `{name}` in the template text.
    pub fn vars(&self) -> impl Iterator<Item = (&str, std::ops::Range<usize>)> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Var(name, at) => Some((name.as_str(), *at..*at + name.len() + 2)),
            Piece::Literal(_) => None,
        })
    }

    /// Checks that every variable is one of `known`.
    pub fn check_vars(&self, known: &[&str]) -> Result<(), TemplateError> {
        for (name, range) in self.vars() {
            if !known.contains(&name) {
                let list = if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                };
                return Err(TemplateError {
                    range,
                    message: format!("unknown variable `{name}`; available here: {list}"),
                });
            }
        }
        Ok(())
    }

    /// Renders with `lookup`; unknown variables render empty.
    pub fn render<'a>(&self, lookup: impl Fn(&str) -> Option<Cow<'a, str>>) -> String {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Literal(s) => out.push_str(s),
                Piece::Var(name, _) => {
                    if let Some(v) = lookup(name) {
                        out.push_str(&v);
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_vars_and_escapes() {
        let t = Template::parse("{module} is banned {{really}}").unwrap();
        let out = t.render(|n| (n == "module").then_some(Cow::Borrowed("matriz")));
        assert_eq!(out, "matriz is banned {really}");
        assert_eq!(t.vars().collect::<Vec<_>>(), vec![("module", 0..8)]);
    }

    #[test]
    fn bad_templates_point_inside() {
        assert_eq!(Template::parse("a {x").unwrap_err().range, 2..4);
        assert_eq!(Template::parse("a } b").unwrap_err().range, 2..3);
        assert_eq!(Template::parse("a {x y} b").unwrap_err().range, 2..7);
        let t = Template::parse("é{nope}").unwrap();
        let err = t.check_vars(&["call"]).unwrap_err();
        assert_eq!(err.range, 2..8);
        assert!(err.message.contains("available here: call"));
    }
}
