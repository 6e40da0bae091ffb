//! Test harness for wsf.
