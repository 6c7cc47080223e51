//! `--apply`: one promotion planned, judged and, when its gate passes or is
//! forced, committed into a transaction ([`super::txn::Journal`]) with its
//! audit line. Every write of the move is one step of that transaction: the
//! rewritten importers, the moved files (read and rewritten, or moved as
//! bytes), the removed originals, the shim and the audit line.

use std::collections::BTreeMap;

use super::txn::{Journal, New, Op};
use super::{Gate, PromoteError, Promotion, audit, shim};
use crate::fix::workspace::Workspace;
use crate::run::Run;

/// How a move is applied.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// Leave a shim at SRC.
    pub shim: bool,
    /// `--force --reason TEXT`: apply a blocked gate, recording why.
    pub force_reason: Option<&'a str>,
}

/// What happened to one move.
pub enum Outcome {
    /// Committed (into the journal; final once the journal finishes).
    Applied {
        /// The move.
        promotion: Box<Promotion>,
        /// Its gate.
        gate: Gate,
        /// The files rewritten in place.
        rewritten: Vec<String>,
    },
    /// The gate is blocked and the move was not forced: nothing written.
    Blocked {
        /// The move.
        promotion: Box<Promotion>,
        /// Its gate.
        gate: Gate,
    },
}

/// Plans `src` → `dst`, judges it, and commits it into `journal` unless the
/// gate blocks and `opts` does not force it.
pub fn promote(
    run: &Run,
    src: &str,
    dst: &str,
    opts: Options,
    journal: &mut Journal,
) -> Result<Outcome, PromoteError> {
    let p = super::plan(run, src, dst)?;
    let ws = super::apply_in_memory(run, &p)?;
    let gate = super::gate(run, &p, &ws);
    if gate.blocked() && opts.force_reason.is_none() {
        return Ok(Outcome::Blocked {
            promotion: Box::new(p),
            gate,
        });
    }
    let (mut ops, rewritten) = writes(run, &p, &ws, opts.shim)?;
    // What each rewritten or moved file held when it was read.
    let unchanged: Vec<(String, Vec<u8>)> = ws
        .changed()
        .into_iter()
        .filter(|c| !c.created)
        .map(|c| (c.moved_from.unwrap_or(c.rel), c.before.into_bytes()))
        .collect();
    let entry = audit::Entry {
        promotion: &p,
        rewritten: rewritten.clone(),
        blocked: gate.blocked(),
        reason: opts.force_reason,
        shim: opts.shim,
    };
    let root = &run.config.root;
    ops.push(audit::append(
        root,
        &run.config.promote.audit_log,
        &entry.line(),
    ));
    journal.commit(ops, &unchanged)?;
    if let Some(dir) = p.src_dir() {
        journal.cleanup_after(dir);
    }
    Ok(Outcome::Applied {
        promotion: Box::new(p),
        gate,
        rewritten,
    })
}

/// Every write of the move, and the files rewritten in place.
pub fn writes(
    run: &Run,
    p: &Promotion,
    ws: &Workspace,
    with_shim: bool,
) -> Result<(Vec<Op>, Vec<String>), PromoteError> {
    let root = &run.config.root;
    let mut ops: BTreeMap<String, Option<New>> = BTreeMap::new();
    let mut rewritten = Vec::new();
    // A write wins over a removal of the same path (the shim at SRC).
    let write = |ops: &mut BTreeMap<String, Option<New>>, rel: &str, new: New| {
        ops.insert(rel.to_string(), Some(new));
    };
    let remove = |ops: &mut BTreeMap<String, Option<New>>, rel: &str| {
        ops.entry(rel.to_string()).or_insert(None);
    };
    for c in ws.changed() {
        match &c.moved_from {
            Some(from) => remove(&mut ops, from),
            None if !c.created => rewritten.push(c.rel.clone()),
            None => {}
        }
        let mode_of = c.moved_from.clone().unwrap_or_else(|| c.rel.clone());
        let bytes = c.after.into_bytes();
        write(
            &mut ops,
            &c.rel,
            New::Bytes {
                bytes,
                mode_of: Some(mode_of),
            },
        );
    }
    for (from, to, link) in &p.raw {
        let path = root.join(from);
        let read = |e: std::io::Error| PromoteError::Refused(format!("cannot read `{from}`: {e}"));
        let new = if *link {
            New::Link(std::fs::read_link(&path).map_err(read)?)
        } else {
            New::Bytes {
                bytes: std::fs::read(&path).map_err(read)?,
                mode_of: Some(from.clone()),
            }
        };
        remove(&mut ops, from);
        write(&mut ops, to, new);
    }
    if with_shim {
        let (rel, text) = shim::shim(p);
        write(
            &mut ops,
            &rel,
            New::Bytes {
                bytes: text.into_bytes(),
                mode_of: Some(rel.clone()),
            },
        );
    }
    Ok((ops.into_iter().collect(), rewritten))
}
