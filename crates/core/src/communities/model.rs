//! The communities context's types and rules (no I/O).
