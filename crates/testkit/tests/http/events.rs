//! HTTP tests of events (issue 13).
