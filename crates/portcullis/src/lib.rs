//! The scan pipeline behind the CLI, as a library so that tests and the language server share it.

pub mod scan;
