//! The one walk that builds a [`NameModel`]: each node is visited in the
//! scope its code runs in (a default value in the scope around the `def`,
//! a comprehension's first iterable around the comprehension), then the
//! bindings move to the scope `global`/`nonlocal` names, and each
//! reference is resolved as Python looks names up.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use tree_sitter::Node;

use crate::parse::fields::FIELD;

use super::{
    Binding, BindingKind, NameModel, Reference, Scope, ScopeId, ScopeKind, import_bindings,
    is_star_import,
};

/// Work left: a node to visit, or an assignment target to bind.
enum Task<'t> {
    Visit(Node<'t>, ScopeId),
    Target(Node<'t>, ScopeId, usize, BindingKind),
}

struct Builder<'s> {
    text: &'s str,
    /// For a focused model, what it is about: only the nodes holding it
    /// are walked.
    focus: Option<Focus>,
    scopes: Vec<Scope>,
    bindings: Vec<Binding>,
    refs: Vec<Reference>,
    dunder_all: Vec<(String, std::ops::Range<usize>)>,
}

/// What a focused model is about.
pub(super) enum Focus {
    /// Sorted offsets of the words it is about: a node is walked when one
    /// starts inside it.
    Words(Vec<usize>),
}

pub(super) fn build(root: Node, text: &str, focus: Option<Focus>) -> NameModel {
    let mut b = Builder {
        text,
        focus,
        scopes: Vec::new(),
        bindings: Vec::new(),
        refs: Vec::new(),
        dunder_all: Vec::new(),
    };
    b.scope(ScopeKind::Module, None, root);
    let mut stack = vec![Task::Visit(root, 0)];
    while let Some(task) = stack.pop() {
        match task {
            Task::Visit(node, scope) => b.visit(node, scope, &mut stack),
            Task::Target(node, scope, at, kind) => b.target(node, scope, at, kind, &mut stack),
        }
    }
    b.finish()
}

/// Containers whose parts are each an assignment target.
const TARGET_LISTS: &[&str] = &[
    "pattern_list",
    "tuple_pattern",
    "list_pattern",
    "tuple",
    "list",
    "expression_list",
    "parenthesized_expression",
    "list_splat_pattern",
    "list_splat",
    "as_pattern_target",
];

impl<'t> Builder<'_> {
    fn scope(&mut self, kind: ScopeKind, parent: Option<ScopeId>, node: Node) -> ScopeId {
        self.scopes.push(Scope {
            kind,
            parent,
            range: node.byte_range(),
            names: HashMap::new(),
            globals: HashSet::new(),
            nonlocals: HashSet::new(),
            star: false,
        });
        self.scopes.len() - 1
    }

    fn bind(&mut self, scope: ScopeId, node: Node, at: usize, kind: BindingKind) {
        self.bindings.push(Binding {
            name: self.text[node.byte_range()].to_string(),
            scope,
            range: node.byte_range(),
            at,
            kind,
        });
    }

    /// Whether the walk enters `node`: always, unless the model is focused
    /// and no word it is about starts inside it (nothing there binds or
    /// reads those names).
    fn enters(&self, node: Node) -> bool {
        match &self.focus {
            None => true,
            Some(Focus::Words(offsets)) => {
                let i = offsets.partition_point(|&at| at < node.start_byte());
                offsets.get(i).is_some_and(|&at| at < node.end_byte())
            }
        }
    }

    /// Pushes the named children of `n` to visit, in order. A focused walk
    /// pushes only those that hold one of its words (the others it would not
    /// enter), found by byte offset: a module of many statements is not
    /// read statement by statement.
    fn push_children(&self, n: Node<'t>, s: ScopeId, stack: &mut Vec<Task<'t>>) {
        let Some(Focus::Words(offsets)) = &self.focus else {
            for c in n.named_children(&mut n.walk()) {
                stack.push(Task::Visit(c, s));
            }
            return;
        };
        let mut i = offsets.partition_point(|&at| at < n.start_byte());
        while let Some(&at) = offsets.get(i).filter(|&&at| at < n.end_byte()) {
            match n.first_named_child_for_byte(at) {
                // The first child ending past `at`: it holds `at` unless it
                // starts after (then `at` is in a token of `n` itself).
                Some(c) if c.start_byte() <= at => {
                    stack.push(Task::Visit(c, s));
                    i += offsets[i..].partition_point(|&o| o < c.end_byte());
                }
                Some(c) => i += offsets[i..].partition_point(|&o| o < c.start_byte()),
                None => break,
            }
        }
    }

    fn visit(&mut self, node: Node<'t>, scope: ScopeId, stack: &mut Vec<Task<'t>>) {
        if !self.enters(node) {
            return;
        }
        let field = |n: Node<'t>, id: u16| n.child_by_field_id(id);
        match node.kind() {
            "identifier" => self.refs.push(Reference {
                range: node.byte_range(),
                scope,
                resolved: None,
            }),
            "import_statement" | "import_from_statement" => {
                for (name, range, import) in import_bindings(node, self.text) {
                    self.bindings.push(Binding {
                        name,
                        scope,
                        range,
                        at: node.end_byte(),
                        kind: BindingKind::Import(import),
                    });
                }
                if is_star_import(node) {
                    self.scopes[scope].star = true;
                }
            }
            "future_import_statement" | "comment" => {}
            "global_statement" | "nonlocal_statement" => {
                let global = node.kind() == "global_statement";
                for c in node.named_children(&mut node.walk()) {
                    let name = self.text[c.byte_range()].to_string();
                    let s = &mut self.scopes[scope];
                    if global {
                        s.globals.insert(name);
                    } else {
                        s.nonlocals.insert(name);
                    }
                }
            }
            "attribute" => stack.extend(field(node, FIELD.object).map(|o| Task::Visit(o, scope))),
            "keyword_argument" => {
                stack.extend(field(node, FIELD.value).map(|v| Task::Visit(v, scope)))
            }
            "function_definition" | "lambda" => {
                let def = node.kind() == "function_definition";
                if let Some(name) = field(node, FIELD.name) {
                    self.bind(scope, name, node.end_byte(), BindingKind::Function);
                }
                for f in [FIELD.return_type, FIELD.type_parameters] {
                    stack.extend(field(node, f).map(|n| Task::Visit(n, scope)));
                }
                let kind = if def {
                    ScopeKind::Function
                } else {
                    ScopeKind::Lambda
                };
                let inner = self.scope(kind, Some(scope), node);
                if let Some(params) = field(node, FIELD.parameters) {
                    self.parameters(params, scope, inner, stack);
                }
                stack.extend(field(node, FIELD.body).map(|b| Task::Visit(b, inner)));
            }
            "class_definition" => {
                if let Some(name) = field(node, FIELD.name) {
                    self.bind(scope, name, node.end_byte(), BindingKind::Class);
                }
                for f in [FIELD.superclasses, FIELD.type_parameters] {
                    stack.extend(field(node, f).map(|n| Task::Visit(n, scope)));
                }
                let inner = self.scope(ScopeKind::Class, Some(scope), node);
                stack.extend(field(node, FIELD.body).map(|b| Task::Visit(b, inner)));
            }
            "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression" => {
                let inner = self.scope(ScopeKind::Comprehension, Some(scope), node);
                let mut first = true;
                for c in node.named_children(&mut node.walk()) {
                    if c.kind() != "for_in_clause" {
                        stack.push(Task::Visit(c, inner));
                        continue;
                    }
                    // The first iterable runs in the enclosing scope.
                    let outer = if first { scope } else { inner };
                    first = false;
                    for r in c.children_by_field_name("right", &mut c.walk()) {
                        stack.push(Task::Visit(r, outer));
                    }
                    if let Some(left) = field(c, FIELD.left) {
                        // Bound for the whole comprehension (the body comes first).
                        let at = node.start_byte();
                        stack.push(Task::Target(left, inner, at, BindingKind::Assignment));
                    }
                }
            }
            "assignment" => {
                let (left, right, ty) = (
                    field(node, FIELD.left),
                    field(node, FIELD.right),
                    field(node, FIELD.type_),
                );
                stack.extend(right.map(|r| Task::Visit(r, scope)));
                stack.extend(ty.map(|t| Task::Visit(t, scope)));
                let kind = if right.is_none() && ty.is_some() {
                    BindingKind::Annotation
                } else {
                    BindingKind::Assignment
                };
                if let Some(left) = left {
                    stack.push(Task::Target(left, scope, node.end_byte(), kind));
                    if scope == 0 && &self.text[left.byte_range()] == "__all__" {
                        self.all_entries(right);
                    }
                }
            }
            "augmented_assignment" => {
                stack.extend(field(node, FIELD.right).map(|r| Task::Visit(r, scope)));
                if let Some(left) = field(node, FIELD.left) {
                    stack.push(Task::Visit(left, scope));
                    if left.kind() == "identifier" {
                        self.bind(scope, left, node.end_byte(), BindingKind::Assignment);
                        if scope == 0 && &self.text[left.byte_range()] == "__all__" {
                            self.all_entries(field(node, FIELD.right));
                        }
                    }
                }
            }
            "call" if scope == 0 => {
                // `__all__.append("x")`, `__all__.extend([...])`.
                if let Some(f) = field(node, FIELD.function).filter(|f| f.kind() == "attribute")
                    && field(f, FIELD.object)
                        .is_some_and(|o| &self.text[o.byte_range()] == "__all__")
                {
                    let args = field(node, FIELD.arguments);
                    match field(f, FIELD.attribute).map(|a| &self.text[a.byte_range()]) {
                        Some("append") => self.all_entries(args),
                        Some("extend") => self.all_entries(args.and_then(|a| a.named_child(0))),
                        _ => {}
                    }
                }
                self.push_children(node, scope, stack);
            }
            "for_statement" => {
                for f in ["right", "body", "alternative"] {
                    for n in node.children_by_field_name(f, &mut node.walk()) {
                        stack.push(Task::Visit(n, scope));
                    }
                }
                if let Some(left) = field(node, FIELD.left) {
                    stack.push(Task::Target(
                        left,
                        scope,
                        left.end_byte(),
                        BindingKind::Assignment,
                    ));
                }
            }
            "as_pattern" | "except_clause" => {
                let alias = field(node, FIELD.alias);
                for c in node.named_children(&mut node.walk()) {
                    if Some(c.id()) != alias.map(|a| a.id()) {
                        stack.push(Task::Visit(c, scope));
                    }
                }
                if let Some(a) = alias {
                    stack.push(Task::Target(
                        a,
                        scope,
                        a.end_byte(),
                        BindingKind::Assignment,
                    ));
                }
            }
            "named_expression" => {
                stack.extend(field(node, FIELD.value).map(|v| Task::Visit(v, scope)));
                // A walrus in a comprehension binds in the scope around it.
                let mut s = scope;
                while self.scopes[s].kind == ScopeKind::Comprehension {
                    s = self.scopes[s].parent.unwrap_or(0);
                }
                if let Some(name) = field(node, FIELD.name) {
                    self.bind(s, name, node.end_byte(), BindingKind::Assignment);
                }
            }
            "delete_statement" => {
                for c in node.named_children(&mut node.walk()) {
                    stack.push(Task::Target(
                        c,
                        scope,
                        node.end_byte(),
                        BindingKind::Deletion,
                    ));
                }
            }
            "dotted_name" => {
                // Only in match patterns (imports are not descended): a bare
                // name captures, a dotted one is a value read.
                let capture = node.named_child_count() == 1
                    && node.parent().is_some_and(|p| p.kind() == "case_pattern");
                match node.named_child(0) {
                    Some(id) if capture => {
                        self.bind(scope, id, node.end_byte(), BindingKind::Assignment)
                    }
                    Some(id) => stack.push(Task::Visit(id, scope)),
                    None => {}
                }
            }
            "splat_pattern" => {
                if let Some(id) = node.named_child(0) {
                    self.bind(scope, id, node.end_byte(), BindingKind::Assignment);
                }
            }
            "keyword_pattern" => {
                // `case C(name=pattern)`: `name` is an attribute, not a name.
                for c in node.named_children(&mut node.walk()).skip(1) {
                    stack.push(Task::Visit(c, scope));
                }
            }
            _ => self.push_children(node, scope, stack),
        }
    }

    /// An assignment target: its names are bound, the rest (`a.b`, `a[i]`) read.
    fn target(
        &mut self,
        node: Node<'t>,
        scope: ScopeId,
        at: usize,
        kind: BindingKind,
        stack: &mut Vec<Task<'t>>,
    ) {
        if !self.enters(node) {
            return;
        }
        if node.kind() == "identifier" {
            self.bind(scope, node, at, kind);
        } else if TARGET_LISTS.contains(&node.kind()) {
            for c in node.named_children(&mut node.walk()) {
                stack.push(Task::Target(c, scope, at, kind.clone()));
            }
        } else {
            stack.push(Task::Visit(node, scope));
        }
    }

    /// Parameters: names bound in `inner`, defaults and annotations run in `outer`.
    fn parameters(
        &mut self,
        params: Node<'t>,
        outer: ScopeId,
        inner: ScopeId,
        stack: &mut Vec<Task<'t>>,
    ) {
        let at = self.scopes[inner].range.start;
        for p in params.named_children(&mut params.walk()) {
            for f in [FIELD.type_, FIELD.value] {
                stack.extend(p.child_by_field_id(f).map(|n| Task::Visit(n, outer)));
            }
            let name = match p.kind() {
                "identifier" | "tuple_pattern" => Some(p),
                "default_parameter" | "typed_default_parameter" => p.child_by_field_id(FIELD.name),
                "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                    let ty = p.child_by_field_id(FIELD.type_).map(|t| t.id());
                    p.named_children(&mut p.walk()).find(|c| Some(c.id()) != ty)
                }
                _ => None,
            };
            let Some(mut name) = name else { continue };
            // `*args: T` is a typed parameter around a splat.
            while matches!(
                name.kind(),
                "list_splat_pattern" | "dictionary_splat_pattern"
            ) {
                let Some(inner_name) = name.named_child(0) else {
                    break;
                };
                name = inner_name;
            }
            stack.push(Task::Target(name, inner, at, BindingKind::Parameter));
        }
    }

    /// The plain string entries of a list or tuple given to `__all__`.
    fn all_entries(&mut self, value: Option<Node>) {
        let lists = ["list", "tuple", "argument_list"];
        let Some(value) = value.filter(|v| lists.contains(&v.kind())) else {
            return;
        };
        for item in value.named_children(&mut value.walk()) {
            let content = (item.kind() == "string" && item.named_child_count() == 3)
                .then(|| item.named_child(1))
                .flatten()
                .filter(|c| c.kind() == "string_content");
            if let Some(c) = content {
                self.dunder_all
                    .push((self.text[c.byte_range()].to_string(), item.byte_range()));
            }
        }
    }

    fn finish(mut self) -> NameModel {
        // Where each name is bound before `global`/`nonlocal` move it.
        let declared: HashSet<(ScopeId, String)> = self
            .bindings
            .iter()
            .map(|b| (b.scope, b.name.clone()))
            .collect();
        for b in &mut self.bindings {
            let s = &self.scopes[b.scope];
            if s.globals.contains(&b.name) {
                b.scope = 0;
            } else if s.nonlocals.contains(&b.name) {
                let mut cur = s.parent;
                while let Some(c) = cur {
                    let sc = &self.scopes[c];
                    let function = matches!(sc.kind, ScopeKind::Function | ScopeKind::Lambda);
                    if function
                        && declared.contains(&(c, b.name.clone()))
                        && !sc.nonlocals.contains(&b.name)
                    {
                        b.scope = c;
                        break;
                    }
                    cur = sc.parent;
                }
            }
        }
        let mut order: Vec<usize> = (0..self.bindings.len()).collect();
        order.sort_by_key(|&i| (self.bindings[i].at, self.bindings[i].range.start));
        for i in order {
            let b = &self.bindings[i];
            self.scopes[b.scope]
                .names
                .entry(b.name.clone())
                .or_default()
                .push(i);
        }
        for r in &mut self.refs {
            r.resolved = lookup(&self.scopes, r.scope, &self.text[r.range.clone()]);
        }
        self.refs.sort_by_key(|r| r.range.start);
        self.dunder_all.sort_by_key(|(_, r)| r.start);
        NameModel {
            scopes: self.scopes,
            bindings: self.bindings,
            references: self.refs,
            dunder_all: self.dunder_all,
        }
    }
}

/// The scope whose binding of `name` code in `scope` reads, as Python looks
/// it up: `global` goes to the module, `nonlocal` and unbound names to the
/// enclosing scopes, skipping class bodies around the code.
pub(super) fn lookup(scopes: &[Scope], scope: ScopeId, name: &str) -> Option<ScopeId> {
    let mut cur = scope;
    loop {
        let s = &scopes[cur];
        if s.globals.contains(name) {
            return scopes[0].names.contains_key(name).then_some(0);
        }
        let visible = cur == scope || s.kind != ScopeKind::Class;
        if visible && !s.nonlocals.contains(name) && s.names.contains_key(name) {
            return Some(cur);
        }
        cur = s.parent?;
    }
}
