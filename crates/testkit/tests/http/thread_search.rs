//! HTTP tests of thread search (issue 13).
