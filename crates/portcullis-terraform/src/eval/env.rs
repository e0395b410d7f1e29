//! What every evaluation of one root module shares: its step and memory budget, its depth,
//! the problems it records, and whether the caller still wants the result.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use portcullis_ir::{Problem, Span};

use crate::limits::{Limit, MAX_BYTES, MAX_DEPTH, MAX_STEPS, Stop};
use crate::value::V;

/// State shared by every module instance of one root module.
#[derive(Debug, Default)]
pub struct Env {
    /// Set by the caller when the result is no longer wanted: every step then fails, so that the
    /// evaluation ends soon.
    cancel: Option<Arc<AtomicBool>>,
    steps: Cell<u64>,
    bytes: Cell<u64>,
    depth: Cell<usize>,
    problems: RefCell<Vec<Problem>>,
}

impl Env {
    /// An environment whose evaluation stops soon once `cancel` is set.
    pub fn cancellable(cancel: Option<Arc<AtomicBool>>) -> Self {
        Self {
            cancel,
            ..Self::default()
        }
    }

    /// Records a problem once.
    pub fn problem(&self, span: Span, message: String) {
        let mut problems = self.problems.borrow_mut();
        if !problems
            .iter()
            .any(|problem| problem.span == span && problem.message == message)
        {
            problems.push(Problem { span, message });
        }
    }

    pub fn take_problems(&self) -> Vec<Problem> {
        self.problems.take()
    }

    /// Counts `steps` evaluation steps; refused once the budget is spent or the result is no
    /// longer wanted.
    pub fn charge(&self, steps: u64) -> Result<(), Stop> {
        let total = self.steps.get().saturating_add(steps);
        self.steps.set(total);
        if total > MAX_STEPS {
            return Err(Stop::Limit(Limit::Steps));
        }
        if self
            .cancel
            .as_ref()
            .is_some_and(|cancel| cancel.load(Ordering::Relaxed))
        {
            return Err(Stop::Cancelled);
        }
        Ok(())
    }

    /// Counts the bytes of a value about to be copied (charged before the copy, so that the
    /// budget bounds the memory actually used).
    pub fn charge_bytes(&self, bytes: u64) -> Result<(), Limit> {
        let total = self.bytes.get().saturating_add(bytes);
        self.bytes.set(total);
        if total > MAX_BYTES {
            return Err(Limit::CopiedBytes);
        }
        Ok(())
    }

    /// Enters one level of expression nesting; returns the depth to [`Self::leave`] to.
    pub fn enter(&self) -> Result<usize, Limit> {
        let depth = self.depth.get();
        if depth >= MAX_DEPTH {
            return Err(Limit::Depth);
        }
        self.depth.set(depth + 1);
        Ok(depth)
    }

    pub fn leave(&self, depth: usize) {
        self.depth.set(depth);
    }

    /// A limit reached: an unknown value, and a problem so that the user knows the analysis is partial.
    pub fn limit(&self, span: Span, limit: Limit) -> V {
        let message = limit.message();
        self.problem(span, message.clone());
        V::unknown(message, span)
    }

    /// An evaluation step refused: a limit (reported), or a cancellation, whose result nobody
    /// reads.
    pub fn stopped(&self, span: Span, stop: Stop) -> V {
        match stop {
            Stop::Limit(limit) => self.limit(span, limit),
            Stop::Cancelled => V::unknown("the evaluation was cancelled", span),
        }
    }
}
