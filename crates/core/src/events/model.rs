//! The events context's types and rules (no I/O).
