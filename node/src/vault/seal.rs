//! Sealed small files.
