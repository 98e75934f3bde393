//! HTTP tests of lessons (issue 13).
