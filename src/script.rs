//! The Rhai host for fix scripts (SPEC §3.3): one sandboxed engine per run
//! (no file, network or process access; bounded operations, depth and
//! sizes), scripts compiled once and shared across threads.
//!
//! A script defines `fn fix(m)`; `m` is a map describing the match (see
//! `docs/scripting.md`). It returns a string (replaces the reported node or
//! the fix target), an array of edit maps, or `()` for no fix.

use crate::finding::Edit;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rhai::packages::{
    BasicArrayPackage, BasicMapPackage, BasicMathPackage, CorePackage, LogicPackage,
    MoreStringPackage, Package,
};
use rhai::{AST, CallFnOptions, Dynamic, Engine, EvalAltResult, Map, Scope, Shared};

/// Operations one call may run before it is stopped.
pub const MAX_OPERATIONS: u64 = 1_000_000;
/// Largest string a script may build (bytes).
pub const MAX_STRING: usize = 1 << 20;
/// Wall-clock time one call may run (native work such as sorting or string
/// building escapes the operation count).
pub const MAX_CALL_TIME: std::time::Duration = std::time::Duration::from_secs(2);
/// Wall-clock time all calls of one run may take together.
pub const MAX_RUN_TIME: std::time::Duration = std::time::Duration::from_secs(60);

/// The value `on_progress` stops a call with when its time is up.
const TIMED_OUT: &str = "rulegate: time limit";

/// A compiled fix script.
#[derive(Debug)]
pub struct Script {
    /// Pack the script belongs to.
    pub pack: String,
    /// The script's path as written in the pack.
    pub path: String,
    /// Hash of its source (part of the cache key).
    pub digest: u64,
    ast: AST,
}

/// A script that failed, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// What went wrong.
    pub message: String,
    /// 1-based line in the script, when known.
    pub line: Option<usize>,
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// What a script asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptOutput {
    /// No fix.
    Nothing,
    /// Replace the target with this text.
    Replace(String),
    /// Apply these edits (of the finding's own file, in its byte offsets).
    Edits(Vec<Edit>),
}

/// The sandboxed engine, the engines calls run on, and a twin that traces
/// lines to place failures.
pub struct ScriptHost {
    /// The packages every engine has (built once).
    packages: Vec<Shared<rhai::Module>>,
    /// Compiles scripts.
    engine: Engine,
    /// Engines free to run a call, each with its own deadline (Rhai's
    /// progress callback sees no call, only its engine): a call takes one,
    /// or makes one, so there are at most as many as calls at once.
    sandboxes: Mutex<Vec<Sandbox>>,
    /// Runs a failed call again, tracing lines; the line it reached goes
    /// to the call's own counter, passed as the call's tag.
    tracer: Engine,
    /// Wall-clock time spent in scripts this run (nanoseconds).
    spent_nanos: std::sync::atomic::AtomicU64,
    /// How long one call may run ([`MAX_CALL_TIME`]; tests of the operation
    /// budget set it long, so a loaded machine cannot end them by the clock).
    call_time: std::time::Duration,
}

/// An engine and the deadline its progress callback stops calls at.
struct Sandbox {
    engine: Engine,
    deadline: Arc<Mutex<Option<Instant>>>,
}

impl Sandbox {
    fn new(packages: &[Shared<rhai::Module>]) -> Self {
        let deadline = Arc::new(Mutex::new(None));
        Self {
            engine: sandboxed_engine(packages, Some(deadline.clone())),
            deadline,
        }
    }

    fn set_deadline(&self, at: Option<Instant>) {
        if let Ok(mut d) = self.deadline.lock() {
            *d = at;
        }
    }
}

impl std::fmt::Debug for ScriptHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScriptHost")
    }
}

impl Default for ScriptHost {
    fn default() -> Self {
        Self::new()
    }
}

impl ScriptHost {
    /// The sandboxed engine (see `sandboxed_engine`) and its tracing twin.
    pub fn new() -> Self {
        let packages: Vec<Shared<rhai::Module>> = vec![
            CorePackage::new().as_shared_module(),
            LogicPackage::new().as_shared_module(),
            BasicMathPackage::new().as_shared_module(),
            BasicArrayPackage::new().as_shared_module(),
            BasicMapPackage::new().as_shared_module(),
            MoreStringPackage::new().as_shared_module(),
        ];
        let mut tracer = sandboxed_engine(&packages, None);
        // Stable in practice; Rhai flags the debugger API as volatile.
        #[allow(deprecated)]
        tracer.register_debugger(
            |_, debugger| debugger,
            |context, event, _, _, pos| {
                let stepping = matches!(
                    event,
                    rhai::debugger::DebuggerEvent::Start | rhai::debugger::DebuggerEvent::Step
                );
                if let Some(line) = pos.line().filter(|_| stepping)
                    && let Some(traced) = context.tag().read_lock::<Arc<AtomicUsize>>()
                {
                    traced.store(line, Ordering::Relaxed);
                }
                Ok(rhai::debugger::DebuggerCommand::StepInto)
            },
        );
        Self {
            engine: sandboxed_engine(&packages, None),
            sandboxes: Mutex::new(Vec::new()),
            tracer,
            packages,
            spent_nanos: Default::default(),
            call_time: MAX_CALL_TIME,
        }
    }
}

/// A raw engine with only pure `packages` (strings, arrays, maps, maths,
/// logic): no module resolver, so `import` cannot reach the file system.
/// With a `deadline`, a call stops when the time it holds has passed.
fn sandboxed_engine(
    packages: &[Shared<rhai::Module>],
    deadline: Option<Arc<Mutex<Option<Instant>>>>,
) -> Engine {
    let mut engine = Engine::new_raw();
    for module in packages {
        engine.register_global_module(module.clone());
    }
    engine
        .set_max_operations(MAX_OPERATIONS)
        .set_max_call_levels(32)
        .set_max_expr_depths(64, 32)
        .set_max_string_size(MAX_STRING)
        .set_max_array_size(10_000)
        .set_max_map_size(10_000)
        .set_max_variables(1_000)
        .set_max_functions(256)
        .set_max_modules(0)
        // A shared interner serialises threads under `sync`.
        .set_max_strings_interned(0);
    engine.disable_symbol("eval");
    if let Some(deadline) = deadline {
        engine.on_progress(move |ops| {
            let late = ops % 1024 == 0
                && deadline
                    .lock()
                    .is_ok_and(|d| d.is_some_and(|t| Instant::now() > t));
            late.then(|| Dynamic::from(TIMED_OUT))
        });
    }
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    engine
}

impl ScriptHost {
    /// Whether `name` can follow a dot in a script (`m.captures.NAME`): a
    /// capture named like a Rhai keyword (`fn`, `let`, `type`) cannot, and
    /// is reached as `m.captures["fn"]`.
    pub fn is_property_name(&self, name: &str) -> bool {
        self.engine
            .compile(format!("let m = #{{}}; m.{name}"))
            .is_ok()
    }

    /// Compiles a pack's script, which must define `fn fix(m)`.
    /// Compiles a script; it must define `fn fix(m)`.
    pub fn compile(&self, pack: &str, path: &str, source: &str) -> Result<Script, ScriptError> {
        let ast = self.engine.compile(source).map_err(|e| ScriptError {
            message: e.err_type().to_string(),
            line: e.position().line(),
        })?;
        if !ast
            .iter_functions()
            .any(|f| f.name == "fix" && f.params.len() == 1)
        {
            return Err(ScriptError {
                message: "the script must define `fn fix(m)`".into(),
                line: None,
            });
        }
        Ok(Script {
            pack: pack.to_string(),
            path: path.to_string(),
            digest: crate::hash::digest(source.as_bytes()),
            ast,
        })
    }

    /// Calls `fix(m)` with the map `input` makes; errors and spent budgets
    /// come back as [`ScriptError`]. `input` is called again only when the
    /// call fails (to trace the line reached): the map is not copied for a
    /// retry that seldom comes.
    pub fn run(
        &self,
        script: &Script,
        input: impl Fn() -> Map,
    ) -> Result<ScriptOutput, ScriptError> {
        let spent = std::time::Duration::from_nanos(self.spent_nanos.load(Ordering::Relaxed));
        if spent > MAX_RUN_TIME {
            return Err(ScriptError {
                message: format!(
                    "the run's time budget for fix scripts ({} s) is spent",
                    MAX_RUN_TIME.as_secs()
                ),
                line: None,
            });
        }
        let start = Instant::now();
        let sandbox = self
            .sandboxes
            .lock()
            .ok()
            .and_then(|mut free| free.pop())
            .unwrap_or_else(|| Sandbox::new(&self.packages));
        sandbox.set_deadline(Some(start + self.call_time));
        let result = call_fix(&sandbox.engine, script, input(), None);
        sandbox.set_deadline(None);
        if let Ok(mut free) = self.sandboxes.lock() {
            free.push(sandbox);
        }
        let took = start.elapsed().as_nanos().min(u128::from(u64::MAX)) as u64;
        self.spent_nanos.fetch_add(took, Ordering::Relaxed);
        if let Err(e) = &result
            && is_timeout(e)
        {
            return Err(ScriptError {
                message: format!(
                    "ran out of time ({} s for one call)",
                    MAX_CALL_TIME.as_secs()
                ),
                line: None,
            });
        }
        let value = result.map_err(|e| {
            // Rhai gives no position for a spent budget or an oversized value:
            // run again under the tracer (rare, only on failure) to find the line.
            let line = innermost_line(&e).or_else(|| {
                let traced = Arc::new(AtomicUsize::new(0));
                let _ = call_fix(&self.tracer, script, input(), Some(traced.clone()));
                Some(traced.load(Ordering::Relaxed)).filter(|&l| l > 0)
            });
            ScriptError {
                line,
                message: describe(&e),
            }
        })?;
        interpret(value)
    }
}

/// Calls the script's `fix`; `traced` (the tracer's) receives the line
/// reached.
fn call_fix(
    engine: &Engine,
    script: &Script,
    input: Map,
    traced: Option<Arc<AtomicUsize>>,
) -> Result<Dynamic, Box<EvalAltResult>> {
    let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
    let options = match traced {
        Some(line) => options.with_tag(line),
        None => options,
    };
    engine.call_fn_with_options(
        options,
        &mut Scope::new(),
        &script.ast,
        "fix",
        (Dynamic::from_map(input),),
    )
}

fn innermost_line(e: &EvalAltResult) -> Option<usize> {
    match e {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, pos) => {
            innermost_line(inner).or(pos.line())
        }
        other => other.position().line(),
    }
}

fn is_timeout(e: &EvalAltResult) -> bool {
    match e {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => is_timeout(inner),
        EvalAltResult::ErrorTerminated(token, _) => {
            token.clone().into_string().is_ok_and(|s| s == TIMED_OUT)
        }
        _ => false,
    }
}

fn describe(e: &EvalAltResult) -> String {
    match e {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _) => describe(inner),
        EvalAltResult::ErrorTooManyOperations(_) => {
            format!("ran out of budget ({MAX_OPERATIONS} operations)")
        }
        EvalAltResult::ErrorDataTooLarge(what, _) => format!("{what} exceeds the sandbox limit"),
        EvalAltResult::ErrorStackOverflow(_) => "call stack too deep".to_string(),
        other => other.to_string(),
    }
}

fn interpret(value: Dynamic) -> Result<ScriptOutput, ScriptError> {
    let bad = |message: String| ScriptError {
        message,
        line: None,
    };
    if value.is_unit() {
        return Ok(ScriptOutput::Nothing);
    }
    if value.is_string() {
        return Ok(ScriptOutput::Replace(
            value.into_string().unwrap_or_default(),
        ));
    }
    if value.is_array() {
        let mut edits = Vec::new();
        for item in value.into_array().unwrap_or_default() {
            let Some(map) = item.try_cast::<Map>() else {
                return Err(bad("an edit must be a map #{start, end, content}".into()));
            };
            if let Some(key) = map
                .keys()
                .find(|k| !matches!(k.as_str(), "start" | "end" | "content"))
            {
                return Err(bad(format!(
                    "unknown key `{key}` in an edit map: an edit is #{{start, end, content}} in the finding's own file"
                )));
            }
            let int = |k: &str| {
                map.get(k)
                    .and_then(|v| v.as_int().ok())
                    .filter(|v| *v >= 0)
                    .map(|v| v as usize)
                    .ok_or_else(|| bad(format!("edit field `{k}` must be a non-negative integer")))
            };
            let content = map
                .get("content")
                .and_then(|v| v.clone().into_string().ok())
                .ok_or_else(|| bad("edit field `content` must be a string".into()))?;
            let (start, end) = (int("start")?, int("end")?);
            if end < start {
                return Err(bad(format!("edit ends ({end}) before it starts ({start})")));
            }
            edits.push(Edit::new(None, start..end, content));
        }
        return Ok(ScriptOutput::Edits(edits));
    }
    Err(bad(format!(
        "fix() returned a {}; expected a string, an array of edits or ()",
        value.type_name()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `src` with a call time long enough that only the operation
    /// budget ends it, whatever the machine's load.
    fn run(src: &str) -> Result<ScriptOutput, ScriptError> {
        run_with(src, std::time::Duration::from_secs(600))
    }

    fn run_with(src: &str, call_time: std::time::Duration) -> Result<ScriptOutput, ScriptError> {
        let host = ScriptHost {
            call_time,
            ..ScriptHost::new()
        };
        let script = host.compile("p", "s.rhai", src)?;
        let mut m = Map::new();
        m.insert("text".into(), "old".into());
        host.run(&script, || m.clone())
    }

    #[test]
    fn each_result_kind() {
        assert_eq!(run("fn fix(m) { () }").unwrap(), ScriptOutput::Nothing);
        assert_eq!(
            run("fn fix(m) { m.text.to_upper() }").unwrap(),
            ScriptOutput::Replace("OLD".into())
        );
        assert_eq!(
            run("fn fix(m) { [#{start: 0, end: 1, content: \"x\"}] }").unwrap(),
            ScriptOutput::Edits(vec![Edit::new(None, 0..1, "x".into())])
        );
        assert!(
            run("fn fix(m) { 42 }")
                .unwrap_err()
                .message
                .contains("returned a i64")
        );
    }

    #[test]
    fn budgets_stop_runaway_scripts() {
        let e = run("fn fix(m) {\n  loop { }\n}").unwrap_err();
        assert!(e.message.contains("budget"), "{e:?}");
        let e = run("fn fix(m) {\n  let x = 0;\n\n  loop { x += 1; }\n}").unwrap_err();
        assert_eq!(e.line, Some(4), "the tracer places a spent budget: {e:?}");
        let e = run("fn fix(m) {\n let s = \"x\";\n while true { s += s; }\n}").unwrap_err();
        assert!(
            e.message.contains("limit") || e.message.contains("budget"),
            "{e:?}"
        );
        let e = run("fn fix(m) { fix(m) }").unwrap_err();
        assert!(e.message.contains("deep"), "{e:?}");
    }

    #[test]
    fn native_work_is_bounded_by_time() {
        // Few operations, each a large native one: the operation count
        // does not stop it, the clock does.
        let start = std::time::Instant::now();
        let e = run_with(
            "fn fix(m) {\n let s = \"x\";\n s.pad(900000, \"y\");\n for i in 0..100000 { let t = s.to_upper(); }\n}",
            MAX_CALL_TIME,
        )
        .unwrap_err();
        assert!(e.message.contains("time"), "{e:?}");
        // The work would take far longer than this: the clock stopped it
        // (generous, so a loaded machine passes).
        assert!(start.elapsed() < std::time::Duration::from_secs(120));
    }

    #[test]
    fn no_file_or_module_access() {
        let e = run("fn fix(m) {\n import \"/etc/passwd\" as p;\n () }").unwrap_err();
        assert!(e.message.contains("modules"), "{e:?}");
        let e = run("fn fix(m) { open_file(\"/etc/passwd\") }").unwrap_err();
        assert!(e.message.contains("not found"), "{e:?}");
        let e = run("fn fix(m) { eval(\"1\") }");
        assert!(e.is_err());
    }

    #[test]
    fn missing_entry_point_is_a_compile_error() {
        let host = ScriptHost::new();
        let e = host.compile("p", "s.rhai", "let x = 1;").unwrap_err();
        assert!(e.message.contains("fn fix(m)"));
        let e = host
            .compile("p", "s.rhai", "fn fix(m) {\n  let = ;\n}")
            .unwrap_err();
        assert_eq!(e.line, Some(2));
    }
}
