//! A file's static imports read from its tokens, without a parse.
//!
//! A run whose every active rule reads only a file's imports (lane guards,
//! relative-import checks, `rulegate report lanes`) then skips tree-sitter,
//! which is most of its time. The scanner follows the blocks that change an
//! import's context (`def`/`class`, `if TYPE_CHECKING:`, a `try` handling
//! ImportError, a `with` naming it) by indentation, and gives exactly the
//! [`ImportSite`]s [`super::extract`] gives from the tree (a test compares
//! them on real code). Dynamic imports need the tree: callers scan only a
//! text that names no dynamic-import function. `None`: something the
//! scanner does not follow (see `super::lex`), an unexpected indentation,
//! or an import statement it cannot read; the caller parses then.

use super::lex::{Kind, Token, Tokens, tokenize};
use super::{IMPORT_ERRORS, ImportKind, ImportSite, ImportedName, dotted_text};

/// What a block's statements inherit.
#[derive(Debug, Clone, Default)]
struct Context {
    typing_only: bool,
    nested: bool,
    /// Inside a `with` that names an import error.
    with_guard: bool,
    /// The `try` statements whose body holds the block.
    tries: Vec<usize>,
}

#[derive(Debug)]
struct Block {
    indent: usize,
    context: Context,
    /// The `try` statement that `except` clauses at this level belong to.
    open_try: Option<usize>,
}

/// An import found, before its `try` statements are known to handle
/// ImportError.
struct Found {
    site: ImportSite,
    tries: Vec<usize>,
}

struct Scanner<'a> {
    text: &'a str,
    blocks: Vec<Block>,
    /// A header ended its line: the next line opens its block.
    pending: Option<(usize, Context)>,
    /// For each `try` statement: whether one of its handlers catches an
    /// import error.
    handles: Vec<bool>,
    found: Vec<Found>,
}

/// The static imports of `text`, in file order, or `None` when the text
/// needs a parse.
pub fn static_imports(text: &str) -> Option<Vec<ImportSite>> {
    let Tokens { tokens, lines } = tokenize(text)?;
    let mut s = Scanner {
        text,
        blocks: vec![Block {
            indent: 0,
            context: Context::default(),
            open_try: None,
        }],
        pending: None,
        handles: Vec::new(),
        found: Vec::new(),
    };
    for line in &lines {
        s.line(line.indent, &tokens[line.tokens.clone()])?;
    }
    if s.pending.is_some() {
        return None;
    }
    let handles = s.handles;
    let mut out: Vec<ImportSite> = s
        .found
        .into_iter()
        .map(|f| {
            let mut site = f.site;
            site.guarded |= f.tries.iter().any(|&t| handles[t]);
            site
        })
        .collect();
    out.sort_by_key(|s| (s.range.start, s.module_range.start));
    Some(out)
}

const HEADERS: &[&str] = &[
    "if", "elif", "else", "for", "while", "try", "except", "finally", "with", "def", "class",
    "async",
];

impl Scanner<'_> {
    fn word(&self, t: &Token) -> &str {
        match t.kind {
            Kind::Name => &self.text[t.start..t.end],
            _ => "",
        }
    }

    /// Places a logical line in its block, then reads its statements.
    fn line(&mut self, indent: usize, toks: &[Token]) -> Option<()> {
        if let Some((header_indent, context)) = self.pending.take() {
            if indent <= header_indent {
                return None;
            }
            self.blocks.push(Block {
                indent,
                context,
                open_try: None,
            });
        } else {
            while self.blocks.len() > 1 && indent < self.blocks.last()?.indent {
                self.blocks.pop();
            }
            if indent != self.blocks.last()?.indent {
                return None;
            }
        }
        let first = self.word(&toks[0]);
        let is_header = HEADERS.contains(&first) || is_soft_header(first, toks);
        if !matches!(first, "except" | "else" | "finally" | "elif") {
            self.blocks.last_mut()?.open_try = None;
        }
        if toks[0].kind == Kind::Op(b'@') {
            return Some(());
        }
        let context = self.blocks.last()?.context.clone();
        if !is_header {
            return self.simple_statements(toks, &context);
        }
        self.header(indent, toks, context)
    }

    /// A compound statement's header, and its body when on the same line.
    fn header(&mut self, indent: usize, toks: &[Token], mut context: Context) -> Option<()> {
        let colon = toks
            .iter()
            .position(|t| t.depth == 0 && t.kind == Kind::Op(b':'))?;
        if toks[..colon]
            .iter()
            .any(|t| t.depth == 0 && self.word(t) == "lambda")
        {
            return None;
        }
        let between = &self.text[toks[0].end..toks[colon].start];
        let names_import_error = || IMPORT_ERRORS.iter().any(|e| between.contains(e));
        match self.word(&toks[0]) {
            "def" | "class" => context.nested = true,
            "async" if self.word(toks.get(1)?) == "def" => context.nested = true,
            "with" => context.with_guard |= names_import_error(),
            "async" if self.word(toks.get(1)?) == "with" => {
                context.with_guard |= names_import_error()
            }
            "if" => {
                let condition = between.trim();
                context.typing_only |=
                    condition == "TYPE_CHECKING" || condition.ends_with(".TYPE_CHECKING");
            }
            "try" => {
                let id = self.handles.len();
                self.handles.push(false);
                context.tries.push(id);
                self.blocks.last_mut()?.open_try = Some(id);
            }
            "except" => {
                let id = self.blocks.last()?.open_try?;
                // `except*` is a group clause: it does not count.
                let group = toks[1].kind == Kind::Op(b'*');
                if !group && (colon == 1 || names_import_error()) {
                    self.handles[id] = true;
                }
            }
            _ => {}
        }
        if colon + 1 < toks.len() {
            self.simple_statements(&toks[colon + 1..], &context)
        } else {
            self.pending = Some((indent, context));
            Some(())
        }
    }

    /// Simple statements separated by `;`.
    fn simple_statements(&mut self, toks: &[Token], context: &Context) -> Option<()> {
        for stmt in toks.split(|t| t.depth == 0 && t.kind == Kind::Op(b';')) {
            let Some(first) = stmt.first() else { continue };
            match self.word(first) {
                "import" => self.import(stmt, context)?,
                "from" => self.import_from(stmt, context)?,
                _ => {}
            }
        }
        Some(())
    }

    fn site(&self, kind: ImportKind, stmt: &[Token], context: &Context) -> ImportSite {
        let range = stmt[0].start..stmt.last().expect("a statement has tokens").end;
        ImportSite {
            kind,
            module: String::new(),
            level: 0,
            package: None,
            module_range: range.clone(),
            range,
            names: Vec::new(),
            star: false,
            binds: None,
            typing_only: context.typing_only,
            nested: context.nested,
            guarded: context.with_guard,
        }
    }

    fn push(&mut self, site: ImportSite, context: &Context) {
        self.found.push(Found {
            site,
            tries: context.tries.clone(),
        });
    }

    /// A dotted name starting at `stmt[*p]`: its byte range.
    fn dotted(&self, stmt: &[Token], p: &mut usize) -> Option<std::ops::Range<usize>> {
        let first = stmt.get(*p).filter(|t| t.kind == Kind::Name)?;
        let mut range = first.start..first.end;
        *p += 1;
        while stmt.get(*p).is_some_and(|t| t.kind == Kind::Op(b'.')) {
            let next = stmt.get(*p + 1).filter(|t| t.kind == Kind::Name)?;
            range.end = next.end;
            *p += 2;
        }
        Some(range)
    }

    /// `as NAME`, if there.
    fn alias(&self, stmt: &[Token], p: &mut usize) -> Option<bool> {
        if stmt.get(*p).is_some_and(|t| self.word(t) == "as") {
            stmt.get(*p + 1).filter(|t| t.kind == Kind::Name)?;
            *p += 2;
            return Some(true);
        }
        Some(false)
    }

    /// `import a.b as c, d`: one site per name.
    fn import(&mut self, stmt: &[Token], context: &Context) -> Option<()> {
        let mut p = 1;
        loop {
            let range = self.dotted(stmt, &mut p)?;
            let aliased = self.alias(stmt, &mut p)?;
            let module = dotted_text(&self.text[range.clone()]);
            let mut site = self.site(ImportKind::Import, stmt, context);
            site.binds = (!aliased).then(|| module.split('.').next().unwrap_or("").to_string());
            site.module = module;
            site.module_range = range;
            self.push(site, context);
            match stmt.get(p) {
                None => return Some(()),
                Some(t) if t.kind == Kind::Op(b',') => p += 1,
                Some(_) => return None,
            }
        }
    }

    /// `from ..a.b import (c as d, e)`.
    fn import_from(&mut self, stmt: &[Token], context: &Context) -> Option<()> {
        let mut p = 1;
        while stmt.get(p).is_some_and(|t| t.kind == Kind::Op(b'.')) {
            p += 1;
        }
        let level = p - 1;
        // Dots must be contiguous for their count to be the level.
        if level > 0 && stmt[p - 1].end - stmt[1].start != level {
            return None;
        }
        let dotted = match stmt.get(p) {
            Some(t) if self.word(t) == "import" => None,
            _ => Some(self.dotted(stmt, &mut p)?),
        };
        if self.word(stmt.get(p)?) != "import" || (level == 0 && dotted.is_none()) {
            return None;
        }
        p += 1;
        let module_range = match &dotted {
            Some(d) => d.clone(),
            None => stmt[1].start..stmt[level].end,
        };
        let written_start = if level > 0 {
            stmt[1].start
        } else {
            module_range.start
        };
        let module = dotted_text(&self.text[written_start..module_range.end]);
        if level == 0 && module == "__future__" {
            // A future statement, not an import (as tree-sitter has it).
            return Some(());
        }
        let mut site = self.site(ImportKind::From, stmt, context);
        site.level = level;
        site.module = module;
        site.module_range = module_range;
        let names = &stmt[p..];
        match names.first()?.kind {
            Kind::Op(b'*') if names.len() == 1 => site.star = true,
            Kind::Op(b'(') if names.last()?.kind == Kind::Op(b')') => {
                self.names(&names[1..names.len() - 1], true, &mut site)?
            }
            _ => self.names(names, false, &mut site)?,
        }
        self.push(site, context);
        Some(())
    }

    /// The names of a `from` import (a trailing comma only in parentheses).
    fn names(&self, toks: &[Token], parenthesized: bool, site: &mut ImportSite) -> Option<()> {
        let mut p = 0;
        loop {
            let name = toks.get(p).filter(|t| t.kind == Kind::Name)?;
            p += 1;
            self.alias(toks, &mut p)?;
            site.names.push(ImportedName {
                name: dotted_text(&self.text[name.start..name.end]),
                range: name.start..name.end,
            });
            match toks.get(p) {
                None => return Some(()),
                Some(t) if t.kind == Kind::Op(b',') => {
                    p += 1;
                    if p == toks.len() && parenthesized {
                        return Some(());
                    }
                }
                Some(_) => return None,
            }
        }
    }
}

/// `match x:` and `case p:` (soft keywords: `match = 1` is an assignment).
fn is_soft_header(first: &str, toks: &[Token]) -> bool {
    if !matches!(first, "match" | "case") || toks.len() < 3 {
        return false;
    }
    let opens = match toks[1].kind {
        Kind::Name | Kind::Str | Kind::Number => true,
        Kind::Op(c) => matches!(c, b'(' | b'[' | b'{' | b'-' | b'*'),
        Kind::ColonEq => false,
    };
    opens
        && toks
            .iter()
            .any(|t| t.depth == 0 && t.kind == Kind::Op(b':'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::Worker;

    /// The scanner and the tree give the same sites.
    fn same(src: &str) -> Vec<ImportSite> {
        let tree = Worker::new().parse(src).unwrap();
        let from_tree = super::super::extract(&tree, src, &[]);
        let scanned = static_imports(src).unwrap_or_else(|| panic!("scans: {src:?}"));
        assert_eq!(scanned, from_tree, "{src:?}");
        scanned
    }

    #[test]
    fn static_forms_match_the_tree() {
        same(
            "import a.b as c, d\nfrom . import x\nfrom ..pkg.m import y as z\nfrom .mod import *\n",
        );
        same("from a import (b,\n  c as d,  # why\n)\nimport  a . b\nfrom ... import x\n");
        same("from __future__ import annotations\nimport os; import sys\nx = 1; from a import b\n");
        same("import a\\\n  .b\n");
    }

    #[test]
    fn contexts_match_the_tree() {
        let s = same(
            "if TYPE_CHECKING:\n    import t\nelse:\n    import u\ndef f():\n    import v\n\
             class C:\n    from w import x\ntry:\n    import y\nexcept ImportError:\n    pass\n\
             if typing.TYPE_CHECKING: import z\nelif TYPE_CHECKING:\n    import e\n",
        );
        assert!(s[0].typing_only && s[2].nested && s[4].guarded && s[5].typing_only);
        same(
            "try:\n    import a\nexcept ImportError:\n    import b\ntry:\n    import c\n\
             except ValueError:\n    pass\ntry:\n    import d\nexcept:\n    pass\n\
             with self.assertRaises(ImportError):\n    from re import bogus\n\
             try: import e\nexcept (OSError, ImportError) as exc: pass\nfinally:\n    import f\n",
        );
        same(
            "async def f():\n    async with x:\n        import a\n@dec\nclass A:\n    def g(self):\n\
             \x20       if TYPE_CHECKING:\n            import b\n    import c\nimport d\n\
             match x:\n    case [1, 2]:\n        import e\n    case _: import f\nmatch = 1\n",
        );
        // A comment between a bare `except:` and its body changes nothing.
        let s = same("try:\n    import a\nexcept:\n    # why\n    pass\n");
        assert!(s[0].guarded);
        same(
            "try:\n    try:\n        import a\n    except ValueError:\n        pass\nexcept Exception:\n    pass\n",
        );
    }

    #[test]
    fn strings_and_comments_hide_imports() {
        assert!(same("x = '''\nimport a\n'''\n# import b\ns = f\"{'import c'}\"\n").is_empty());
    }

    /// Random texts from Python-ish pieces: the scanner never panics, and
    /// whenever the tree has no error and the scanner reads the text, both
    /// give the same sites.
    #[test]
    fn random_texts_never_panic_and_agree_with_the_tree() {
        const PIECES: &[&str] = &[
            "import a",
            "from . import b",
            "from x.y import (c,",
            " d)",
            "import e as f",
            "if TYPE_CHECKING:",
            "try:",
            "except ImportError:",
            "except:",
            "else:",
            "def g():",
            "class H:",
            "with x(ImportError):",
            "    ",
            "\t",
            "\n",
            "\n",
            "\n",
            "\r\n",
            "'",
            "\"",
            "'''",
            "f'{",
            "}'",
            "(",
            ")",
            "[",
            "]",
            "#",
            "\\\n",
            ";",
            ":",
            "é",
            "x = 1",
            "pass",
            "match x:",
            "case 1:",
            "from __future__ import y",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        // A parser of its own: `Worker` counts its parses, and a test of
        // the lint pass counts them while this one runs.
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&crate::parse::python()).unwrap();
        let mut agreed = 0;
        for _ in 0..5000 {
            let n = 1 + next() % 12;
            let text: String = (0..n)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let scanned = static_imports(&text);
            let tree = parser.parse(&text, None).unwrap();
            if let Some(sites) = scanned.filter(|_| !tree.root_node().has_error()) {
                let from_tree = super::super::extract(&tree, &text, &[]);
                assert_eq!(sites, from_tree, "{text:?}");
                agreed += 1;
            }
        }
        assert!(agreed > 100, "only {agreed} texts compared");
    }

    #[test]
    fn gives_up_where_the_tree_is_needed() {
        for src in [
            "import\n",
            "from a import\n",
            "from a import b,\n",
            "if x:\nimport a\n",
            "if x:\n    import a\n  import b\n",
            "import a\n    import b\n",
            "if x:\n",
            "except ImportError:\n    import a\n",
            "from . . a import b\n",
        ] {
            assert!(static_imports(src).is_none(), "{src:?}");
        }
    }
}
