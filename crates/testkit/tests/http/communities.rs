//! HTTP tests of communities (issue 13).
