//! Helpers the e2e test files share beyond the harness.

#![allow(dead_code)]

pub mod tenant;
