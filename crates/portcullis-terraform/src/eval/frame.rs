//! Bindings of iteration variables.

use std::collections::BTreeMap;

use crate::value::V;

/// Bindings of iteration variables: `count`, `each`, `for` variables, dynamic iterators.
#[derive(Clone, Debug, Default)]
pub struct Frame(BTreeMap<String, V>);

impl Frame {
    #[must_use]
    pub fn with(&self, name: &str, value: V) -> Self {
        let mut next = self.clone();
        next.0.insert(name.to_owned(), value);
        next
    }

    pub(super) fn get(&self, name: &str) -> Option<&V> {
        self.0.get(name)
    }
}
