//! HTTP tests of recognition (issue 13).
