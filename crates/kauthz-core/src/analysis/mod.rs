//! Analyses built on the authorizers: complete rule lists (`can-i --list`), who-can, and
//! per-authorizer explanations.

pub mod audit;
pub mod blast;
pub mod diff;
pub mod list;
pub mod replay;
pub mod who_can;
