//! The wsf node.
