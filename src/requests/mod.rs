//! RegisterImage requests: drafts, revisions and lists.

pub mod views;
